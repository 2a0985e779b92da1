using System.Buffers.Text;
using System.Security.Cryptography;

namespace Ngrtc.Audit.Protection;

/// <summary>
/// One subject's AES-256 data key for one epoch, unwrapped, with its id. Safe to share between threads.
/// The key material never leaves this assembly's crypto code; <see cref="ToString"/> shows the id only.
/// </summary>
public sealed class DataKey : IDisposable
{
    public const int Size = 32;

    private readonly byte[] _material;
    private readonly Lock _gate = new();
    private AesGcm? _aes;
    private bool _disposed;

    /// <summary>Requires a key id of <see cref="KeyIds"/>' alphabet and 32 bytes of key material (copied).</summary>
    public DataKey(string keyId, ReadOnlySpan<byte> material)
    {
        if (!KeyIds.IsValid(keyId))
        {
            throw new ArgumentException("A key id is 1–64 characters of base64url.", nameof(keyId));
        }

        if (material.Length != Size)
        {
            throw new ArgumentException("A data key is 32 bytes.", nameof(material));
        }

        KeyId = keyId;
        _material = material.ToArray();
    }

    public string KeyId { get; }

    /// <summary>A new random key with a new random id.</summary>
    public static DataKey Generate() => new(KeyIds.New(), RandomNumberGenerator.GetBytes(Size));

    internal ReadOnlySpan<byte> Material => _material;

    // AesGcm keeps a native cipher context that is not safe for concurrent use: one lock per key. Two threads
    // rarely encrypt for the same person at the same instant, so the lock is almost never contended.
    internal void Encrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag, ReadOnlySpan<byte> associatedData)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            (_aes ??= new AesGcm(_material, FieldCipher.TagSize)).Encrypt(nonce, plaintext, ciphertext, tag, associatedData);
        }
    }

    internal bool TryDecrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            try
            {
                (_aes ??= new AesGcm(_material, FieldCipher.TagSize)).Decrypt(nonce, ciphertext, tag, plaintext, associatedData);
                return true;
            }
            catch (AuthenticationTagMismatchException)
            {
                CryptographicOperations.ZeroMemory(plaintext);
                return false;
            }
        }
    }

    /// <summary>Zeroes the key material. Caches never dispose keys they evict (another thread may hold them); stores may.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _aes?.Dispose();
            CryptographicOperations.ZeroMemory(_material);
        }
    }

    public override string ToString() => $"DataKey {KeyId}";
}

/// <summary>Key ids: 16 random bytes in base64url (22 characters), unique per tenant; never derived from anything.</summary>
public static class KeyIds
{
    internal const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    public static string New() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));

    public static bool IsValid(string? keyId) =>
        keyId is { Length: > 0 and <= 64 } && !keyId.AsSpan().ContainsAnyExcept(Alphabet);
}
