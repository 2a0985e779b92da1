namespace Ngrtc.Audit.Protection;

/// <summary>
/// The tenant's key-encryption keys (KEKs): wraps and unwraps data keys, peppers and the subject-index key.
/// <see cref="ConfiguredKeyEncryptionKeys"/> reads them from configuration or files; a KMS or HSM implements this
/// interface to keep them out of the process. A tenant has several KEK versions, one of them current: new keys
/// are wrapped under the current one, and <see cref="KeyRotation"/> rewraps the rest.
/// </summary>
public interface IKeyEncryptionKeyProvider
{
    /// <summary>The KEK new keys of <paramref name="tenant"/> are wrapped under. Throws <see cref="KeyEncryptionKeyException"/> for a tenant without KEKs.</summary>
    string CurrentKekId(string tenant);

    /// <summary>
    /// Wraps <paramref name="key"/> under <paramref name="kekId"/> (the current KEK when null), bound to
    /// <paramref name="context"/> (what the key is for, e.g. <c>subject-key:&lt;keyId&gt;</c>): unwrapping with another
    /// context fails. A provider whose backend cannot bind a context must say so in its documentation.
    /// </summary>
    ValueTask<WrappedKey> WrapAsync(string tenant, string? kekId, ReadOnlyMemory<byte> key, string context, CancellationToken ct = default);

    /// <summary>The key <see cref="WrapAsync"/> wrapped. Throws <see cref="KeyEncryptionKeyException"/> if the KEK is unknown or the wrap does not verify.</summary>
    ValueTask<byte[]> UnwrapAsync(string tenant, WrappedKey wrapped, string context, CancellationToken ct = default);
}

/// <summary>A wrapped key and the KEK it is wrapped under. The bytes are the provider's own format.</summary>
public sealed record WrappedKey(string KekId, byte[] Bytes)
{
    public override string ToString() => $"WrappedKey {{ KekId = {KekId}, {Bytes.Length} bytes }}";
}

/// <summary>A KEK is missing, malformed, or a wrapped key does not verify. Names tenants, KEK ids and contexts, never key material.</summary>
public sealed class KeyEncryptionKeyException(string message) : Exception(message);

/// <summary>What a wrapped key is for: bound into the wrap, so a wrapped key moved to another row does not unwrap.</summary>
internal static class WrapContexts
{
    public const string SubjectIndex = "subject-index";

    public static string SubjectKey(string keyId) => "subject-key:" + keyId;

    public static string Pepper(Epoch epoch) => "pepper:" + epoch.Label;
}
