using System.Security.Cryptography;
using System.Text;

namespace Ngrtc.Audit.Integrity;

/// <summary>A tree head and its JWS compact serialization as signed.</summary>
/// <param name="Head">The head as signed: timestamp in UTC, cut to milliseconds.</param>
/// <param name="Jws">BASE64URL(header) "." BASE64URL(payload) "." BASE64URL(r ‖ s).</param>
public sealed record SignedTreeHead(TreeHead Head, string Jws)
{
    /// <summary>SHA-256 of the ASCII JWS: the next head's <see cref="TreeHead.PreviousHeadHash"/>.</summary>
    public byte[] Hash() => TreeHeadChain.HashOf(Jws);
}

/// <summary>
/// Signs tree heads as JWS compact serializations (RFC 7515 §7.1) with ES256 (ECDSA on P-256 with SHA-256,
/// RFC 7518 §3.4), so any JOSE library or <c>openssl dgst -sha256 -verify</c> (after converting r ‖ s to DER)
/// can check them:
/// <list type="bullet">
/// <item>protected header, canonical JSON: <c>{"alg":"ES256","kid":"&lt;key id&gt;","typ":"ngrtc-tree-head+jwt"}</c></item>
/// <item>payload: the canonical JSON of the <see cref="TreeHead"/></item>
/// <item>signature: 64 bytes r ‖ s over ASCII(BASE64URL(header) "." BASE64URL(payload)), s in low-S form (s ≤ n/2)</item>
/// </list>
/// The caller owns the key. Not thread-safe; the sealer signs from one place.
/// </summary>
public sealed class TreeHeadSigner
{
    private readonly ECDsa key;
    private readonly string encodedHeader;

    /// <summary>A signer with a P-256 private key and its id. Throws <see cref="ArgumentException"/> for any other key.</summary>
    public TreeHeadSigner(ECDsa key, string keyId)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyId);
        Jose.PublicP256(key, "The signing key");
        this.key = key;
        KeyId = keyId;
        encodedHeader = Jose.Encode(Jose.Header(keyId));
    }

    /// <summary>The id of the signing key, written as "kid" and as the head's <see cref="TreeHead.KeyId"/>.</summary>
    public string KeyId { get; }

    /// <summary>
    /// Signs <paramref name="head"/>. Requires head.KeyId to be this signer's <see cref="KeyId"/>, a non-empty
    /// tenant, 0 &lt;= TreeSize &lt;= 2^53 and 32-byte hashes.
    /// </summary>
    public SignedTreeHead Sign(TreeHead head)
    {
        ArgumentNullException.ThrowIfNull(head);
        if (!string.Equals(head.KeyId, KeyId, StringComparison.Ordinal))
        {
            throw new ArgumentException($"The head names key \"{head.KeyId}\" but this signer holds \"{KeyId}\".", nameof(head));
        }

        var normalized = head.Normalized();
        var signingInput = $"{encodedHeader}.{Jose.Encode(normalized.ToPayload())}";
        var signature = Jose.WithLowS(key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
        return new SignedTreeHead(normalized, $"{signingInput}.{Jose.Encode(signature)}");
    }

    /// <summary>Signs the head of <paramref name="tenant"/>'s log with this signer's key id.</summary>
    public SignedTreeHead Sign(string tenant, long treeSize, byte[] rootHash, DateTimeOffset timestamp, byte[]? previousHeadHash) =>
        Sign(new TreeHead(tenant, treeSize, rootHash, timestamp, previousHeadHash, KeyId));
}
