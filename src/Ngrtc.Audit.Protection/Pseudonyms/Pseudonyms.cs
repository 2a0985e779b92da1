using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Ngrtc.Audit.Protection;

/// <summary>
/// Epoch pseudonyms: <c>p1.&lt;epoch&gt;.&lt;base64url(first 16 bytes of HMAC-SHA256(pepper, form ‖ value))&gt;</c>,
/// e.g. <c>p1.2026-11.q0Vx8mB2y5HnV1r4TzK3aA</c>. The pepper is the tenant's random secret for that epoch, so
/// equal identifiers in one (tenant, epoch) get equal pseudonyms, and once the pepper is destroyed nobody can
/// compute them again. The epoch is in clear so a reader knows which pepper (and which retention) applies.
/// 128 bits: the pseudonym only needs to be collision-free (its secrecy is the pepper's), and at 10^12 distinct
/// identifiers in one epoch the chance of any collision is below 10^-14; a full 32-byte MAC would add 21
/// characters to every personal-data field and every register index for nothing.
/// </summary>
public static class Pseudonyms
{
    public const string Version = "p1";
    public const int MacBytes = 16;

    /// <summary>Requires a pepper of 32 bytes.</summary>
    public static string Compute(ReadOnlySpan<byte> pepper, Epoch epoch, NormalizedIdentifier identifier)
    {
        Span<byte> mac = stackalloc byte[32];
        MacInput.Hmac(pepper, identifier, mac);
        return string.Concat(Version, ".", epoch.Label, ".", Base64Url.EncodeToString(mac[..MacBytes]));
    }

    /// <summary>The epoch a pseudonym was made in; false for anything that is not a <c>p1.</c> pseudonym.</summary>
    public static bool TryReadEpoch(string pseudonym, out Epoch? epoch)
    {
        epoch = null;
        var parts = pseudonym.Split('.');
        if (parts.Length != 3 || parts[0] != Version || !Epoch.IsValidLabel(parts[1]))
        {
            return false;
        }

        epoch = new Epoch(parts[1]);
        return true;
    }
}

/// <summary>
/// A person's id within a tenant that does not change with epochs: base64url of the first 16 bytes of
/// HMAC-SHA256(tenant subject-index key, form ‖ value). It keys the subject's data keys, so that erasure finds every
/// key of the person in every epoch. The subject-index key is random per tenant and stored wrapped under the
/// tenant's KEK; without it a subject id cannot be recomputed from a number (a plain hash could: phone numbers
/// are few enough to enumerate).
/// </summary>
public readonly record struct SubjectId
{
    public SubjectId(string value)
    {
        if (value is not { Length: 22 } || value.AsSpan().ContainsAnyExcept(KeyIds.Alphabet))
        {
            throw new ArgumentException("A subject id is 22 characters of base64url.", nameof(value));
        }

        Value = value;
    }

    public string Value { get; }

    /// <summary>Requires a subject-index key of 32 bytes.</summary>
    public static SubjectId Compute(ReadOnlySpan<byte> subjectIndexKey, NormalizedIdentifier identifier)
    {
        Span<byte> mac = stackalloc byte[32];
        MacInput.Hmac(subjectIndexKey, identifier, mac);
        return new SubjectId(Base64Url.EncodeToString(mac[..16]));
    }

    public override string ToString() => Value;
}

/// <summary>The bytes both MACs run over: the form as one byte, then the UTF-8 of the canonical value.</summary>
internal static class MacInput
{
    public static void Hmac(ReadOnlySpan<byte> key, NormalizedIdentifier identifier, Span<byte> mac)
    {
        if (key.Length != 32)
        {
            throw new ArgumentException("A pepper or subject-index key is 32 bytes.", nameof(key));
        }

        var max = Encoding.UTF8.GetMaxByteCount(identifier.Value.Length) + 1;
        byte[]? rented = null;
        var buffer = max <= 512 ? stackalloc byte[512] : (rented = ArrayPool<byte>.Shared.Rent(max));
        try
        {
            buffer[0] = (byte)identifier.Form;
            var length = 1 + Encoding.UTF8.GetBytes(identifier.Value, buffer[1..]);
            HMACSHA256.HashData(key, buffer[..length], mac);
        }
        finally
        {
            if (rented is not null)
            {
                CryptographicOperations.ZeroMemory(rented);
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}
