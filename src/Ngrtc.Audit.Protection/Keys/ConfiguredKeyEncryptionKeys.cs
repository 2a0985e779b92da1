using System.Security.Cryptography;
using System.Text;

namespace Ngrtc.Audit.Protection;

/// <summary>
/// KEKs from configuration, for development and for operators without a KMS. Bind it from
/// <c>Ngrtc:Protection:Keks</c>, e.g. with environment variables
/// <c>Ngrtc__Protection__Keks__Tenants__op-1__Current=v2</c> and
/// <c>Ngrtc__Protection__Keks__Tenants__op-1__Keys__v2=&lt;base64 of 32 random bytes&gt;</c>,
/// or point <see cref="Directory"/> at a folder laid out as <c>&lt;tenant&gt;/&lt;kekId&gt;.key</c> (base64) and
/// <c>&lt;tenant&gt;/current</c> (the current KEK id). The tenant <c>*</c> (folder <c>_any</c>) serves every tenant
/// not listed: convenient for development, but then tenants share KEK material (their wraps still differ, the
/// tenant being bound into each).
/// </summary>
public sealed class KeyEncryptionKeyOptions
{
    public const string Section = "Ngrtc:Protection:Keks";
    public const string AnyTenant = "*";
    public const string AnyTenantFolder = "_any";

    public Dictionary<string, TenantKeyEncryptionKeys> Tenants { get; set; } = new(StringComparer.Ordinal);

    public string? Directory { get; set; }
}

public sealed class TenantKeyEncryptionKeys
{
    /// <summary>The KEK id new keys are wrapped under; one of <see cref="Keys"/>.</summary>
    public string Current { get; set; } = "";

    /// <summary>KEK id → base64 of 32 random bytes. Old versions stay until <see cref="KeyRotation"/> has rewrapped everything.</summary>
    public Dictionary<string, string> Keys { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>
/// AES-256-GCM key wrapping: <c>nonce[12] ‖ ciphertext ‖ tag[16]</c> (60 bytes for a 32-byte key), associated data
/// <c>"ngrtc-kw1" 0x00 tenant 0x00 kekId 0x00 context</c>. Chosen over RFC 3394/5649 AES-KW because GCM binds the
/// tenant and the purpose (<c>subject-key:&lt;keyId&gt;</c>, <c>pepper:&lt;epoch&gt;</c>): whoever can write the key
/// tables cannot swap one person's wrapped key into another's row or another tenant's. Random 96-bit nonces bound a
/// KEK to 2^32 wraps (NIST SP 800-38D); rotate long before (a year of monthly keys for 20 million subscribers in
/// three lanes is 7×10^8).
/// </summary>
public sealed class ConfiguredKeyEncryptionKeys : IKeyEncryptionKeyProvider
{
    private const string Label = "ngrtc-kw1";
    private readonly Dictionary<string, (string Current, Dictionary<string, Kek> Keks)> _tenants = new(StringComparer.Ordinal);

    public ConfiguredKeyEncryptionKeys(KeyEncryptionKeyOptions options)
    {
        foreach (var (tenant, keks) in options.Tenants)
        {
            Add(tenant, keks.Current, keks.Keys.Select(k => (k.Key, k.Value)), "configuration");
        }

        if (options.Directory is { Length: > 0 } directory)
        {
            if (!System.IO.Directory.Exists(directory))
            {
                throw new KeyEncryptionKeyException($"{KeyEncryptionKeyOptions.Section}:Directory {directory} does not exist.");
            }

            foreach (var folder in System.IO.Directory.GetDirectories(directory))
            {
                var name = Path.GetFileName(folder);
                var tenant = name == KeyEncryptionKeyOptions.AnyTenantFolder ? KeyEncryptionKeyOptions.AnyTenant : name;
                var currentFile = Path.Combine(folder, "current");
                var current = File.Exists(currentFile) ? File.ReadAllText(currentFile).Trim() : "";
                var keys = System.IO.Directory.GetFiles(folder, "*.key")
                    .Select(f => (Path.GetFileNameWithoutExtension(f), File.ReadAllText(f).Trim()));
                Add(tenant, current, keys, folder);
            }
        }
    }

    /// <summary>A provider with the given raw keys; for tests and tools. Requires 32-byte keys.</summary>
    public static ConfiguredKeyEncryptionKeys For(string tenant, string current, params (string KekId, byte[] Key)[] keys) =>
        new(new KeyEncryptionKeyOptions
        {
            Tenants =
            {
                [tenant] = new TenantKeyEncryptionKeys
                {
                    Current = current,
                    Keys = keys.ToDictionary(k => k.KekId, k => Convert.ToBase64String(k.Key), StringComparer.Ordinal),
                },
            },
        });

    public string CurrentKekId(string tenant) => Tenant(tenant).Current;

    public ValueTask<WrappedKey> WrapAsync(string tenant, string? kekId, ReadOnlyMemory<byte> key, string context, CancellationToken ct = default)
    {
        var (current, keks) = Tenant(tenant);
        var id = kekId ?? current;
        var kek = Find(tenant, keks, id);
        var bytes = new byte[FieldCipher.NonceSize + key.Length + FieldCipher.TagSize];
        var nonce = bytes.AsSpan(0, FieldCipher.NonceSize);
        RandomNumberGenerator.Fill(nonce);
        var aad = AssociatedData(tenant, id, context);
        lock (kek.Gate)
        {
            kek.Aes.Encrypt(nonce, key.Span, bytes.AsSpan(FieldCipher.NonceSize, key.Length), bytes.AsSpan(^FieldCipher.TagSize), aad);
        }

        return ValueTask.FromResult(new WrappedKey(id, bytes));
    }

    public ValueTask<byte[]> UnwrapAsync(string tenant, WrappedKey wrapped, string context, CancellationToken ct = default)
    {
        var (_, keks) = Tenant(tenant);
        var kek = Find(tenant, keks, wrapped.KekId);
        var length = wrapped.Bytes.Length - FieldCipher.NonceSize - FieldCipher.TagSize;
        if (length <= 0)
        {
            throw new KeyEncryptionKeyException($"The key wrapped for {context} under {tenant}/{wrapped.KekId} is truncated.");
        }

        var key = new byte[length];
        try
        {
            lock (kek.Gate)
            {
                kek.Aes.Decrypt(
                    wrapped.Bytes.AsSpan(0, FieldCipher.NonceSize),
                    wrapped.Bytes.AsSpan(FieldCipher.NonceSize, length),
                    wrapped.Bytes.AsSpan(^FieldCipher.TagSize),
                    key,
                    AssociatedData(tenant, wrapped.KekId, context));
            }
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new KeyEncryptionKeyException(
                $"The key wrapped for {context} under {tenant}/{wrapped.KekId} does not verify: another KEK's material, or the row was altered or moved.");
        }

        return ValueTask.FromResult(key);
    }

    private void Add(string tenant, string current, IEnumerable<(string KekId, string Base64)> keys, string where)
    {
        if (string.IsNullOrEmpty(tenant) || tenant.Contains('\0') || tenant.Contains('/'))
        {
            throw new KeyEncryptionKeyException($"A tenant id in {where} is empty or holds '/' or NUL.");
        }

        if (!_tenants.TryGetValue(tenant, out var entry))
        {
            entry = (current, new Dictionary<string, Kek>(StringComparer.Ordinal));
        }

        foreach (var (kekId, base64) in keys)
        {
            if (!IsKekId(kekId))
            {
                throw new KeyEncryptionKeyException($"KEK ids of tenant {tenant} ({where}) are 1–64 characters of A-Z, a-z, 0-9, '-' and '_'.");
            }

            byte[] material;
            try
            {
                material = Convert.FromBase64String(base64);
            }
            catch (FormatException)
            {
                throw new KeyEncryptionKeyException($"KEK {tenant}/{kekId} ({where}) is not base64.");
            }

            if (material.Length != 32)
            {
                throw new KeyEncryptionKeyException($"KEK {tenant}/{kekId} ({where}) must be 32 bytes (AES-256), not {material.Length}.");
            }

            entry.Keks[kekId] = new Kek(new AesGcm(material, FieldCipher.TagSize));
            CryptographicOperations.ZeroMemory(material);
        }

        if (current.Length > 0)
        {
            entry.Current = current;
        }

        if (!entry.Keks.ContainsKey(entry.Current))
        {
            throw new KeyEncryptionKeyException($"Tenant {tenant} ({where}): the current KEK '{entry.Current}' is not among its keys.");
        }

        _tenants[tenant] = entry;
    }

    private static bool IsKekId(string id) => id is { Length: > 0 and <= 64 } && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    private (string Current, Dictionary<string, Kek> Keks) Tenant(string tenant) =>
        _tenants.TryGetValue(tenant, out var entry) || _tenants.TryGetValue(KeyEncryptionKeyOptions.AnyTenant, out entry)
            ? entry
            : throw new KeyEncryptionKeyException($"No KEK is configured for tenant {tenant} ({KeyEncryptionKeyOptions.Section}).");

    private static Kek Find(string tenant, Dictionary<string, Kek> keks, string kekId) =>
        keks.TryGetValue(kekId, out var kek)
            ? kek
            : throw new KeyEncryptionKeyException($"KEK {tenant}/{kekId} is not configured (retired before every key was rewrapped?).");

    private static byte[] AssociatedData(string tenant, string kekId, string context) =>
        Encoding.UTF8.GetBytes($"{Label}\0{tenant}\0{kekId}\0{context}");

    private sealed record Kek(AesGcm Aes)
    {
        public Lock Gate { get; } = new();
    }
}
