using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Ngrtc.Audit.Integrity;

/// <summary>Why a signed tree head was refused.</summary>
public enum TreeHeadFailure
{
    /// <summary>The head verified.</summary>
    None,

    /// <summary>Not three base64url parts, or a header that is not the JSON object this format defines.</summary>
    Malformed,

    /// <summary>The header's "alg" is not ES256 ("none" included).</summary>
    UnsupportedAlgorithm,

    /// <summary>The header's "typ" is not "ngrtc-tree-head+jwt".</summary>
    WrongType,

    /// <summary>No public key has the header's "kid".</summary>
    UnknownKey,

    /// <summary>The signature is not 64 bytes or does not verify under the key.</summary>
    BadSignature,

    /// <summary>The signed payload is not a canonical tree head.</summary>
    MalformedPayload,

    /// <summary>The header's "kid" and the payload's keyId differ.</summary>
    KeyIdMismatch,

    /// <summary>The head is dated outside its key's validity period (<see cref="KeyValidity"/>).</summary>
    OutsideKeyValidity,
}

/// <summary>The outcome of <see cref="TreeHeadVerifier.Verify"/>.</summary>
/// <param name="Head">The verified head, or null.</param>
/// <param name="Failure">Why it was refused, or <see cref="TreeHeadFailure.None"/>.</param>
/// <param name="Reason">A sentence for people and logs.</param>
public sealed record TreeHeadVerification(TreeHead? Head, TreeHeadFailure Failure, string Reason)
{
    /// <summary>True when the signature verified and <see cref="Head"/> is set.</summary>
    public bool IsValid => Failure == TreeHeadFailure.None;
}

/// <summary>
/// Verifies signed tree heads (see <see cref="TreeHeadSigner"/> for the format) against a set of P-256 public
/// keys by key id, so heads signed before a key rotation keep verifying while the old public key is listed.
/// Accepts only what the signer writes, so that one head has one JWS and one hash: alg ES256, typ
/// ngrtc-tree-head+jwt, a canonical header of exactly alg/kid/typ, unpadded canonical base64url, a 64-byte r ‖ s
/// signature with s ≤ n/2 (low-S: (r, n − s) verifies too under ECDSA), a canonical payload whose keyId equals the kid,
/// dated within the key's validity period when it has one. Never throws on bad input. Thread-safe.
/// </summary>
public sealed class TreeHeadVerifier
{
    private readonly Dictionary<string, ECParameters> keys;
    private readonly Dictionary<string, KeyValidity> validity;

    /// <summary>
    /// A verifier for the given public keys by key id, each valid for the period <paramref name="validity"/> gives it
    /// (a key it does not name is valid at any time). Throws <see cref="ArgumentException"/> for a key that is not
    /// P-256 or a period that is empty.
    /// </summary>
    public TreeHeadVerifier(IReadOnlyDictionary<string, ECParameters> publicKeys, IReadOnlyDictionary<string, KeyValidity>? validity = null)
    {
        ArgumentNullException.ThrowIfNull(publicKeys);
        keys = new Dictionary<string, ECParameters>(StringComparer.Ordinal);
        this.validity = new Dictionary<string, KeyValidity>(StringComparer.Ordinal);
        foreach (var (keyId, period) in validity ?? new Dictionary<string, KeyValidity>())
        {
            period.Validate(keyId);
            this.validity[keyId] = period;
        }

        foreach (var (keyId, parameters) in publicKeys)
        {
            ArgumentException.ThrowIfNullOrEmpty(keyId);
            ECDsa key;
            try
            {
                key = ECDsa.Create(parameters);
            }
            catch (CryptographicException e)
            {
                throw new ArgumentException($"Key \"{keyId}\" is not a valid EC public key: {e.Message}", nameof(publicKeys), e);
            }

            using (key)
            {
                keys[keyId] = Jose.PublicP256(key, $"Key \"{keyId}\"");
            }
        }
    }

    /// <summary>The key ids this verifier knows.</summary>
    public IReadOnlyCollection<string> KeyIds => keys.Keys;

    /// <summary>A verifier for the public halves of the given keys (private halves are not kept), valid as <paramref name="validity"/> says.</summary>
    public static TreeHeadVerifier FromKeys(IEnumerable<KeyValuePair<string, ECDsa>> keys, IReadOnlyDictionary<string, KeyValidity>? validity = null)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return new TreeHeadVerifier(keys.ToDictionary(k => k.Key, k => Jose.PublicP256(k.Value, $"Key \"{k.Key}\""), StringComparer.Ordinal), validity);
    }

    /// <summary>
    /// A verifier for the keys of a JWKS document and their validity periods (see <see cref="Jwks.Read"/>); throws
    /// <see cref="FormatException"/> if it is not one.
    /// </summary>
    public static TreeHeadVerifier FromJwks(string jwks)
    {
        var published = Jwks.Read(jwks);
        return new(published.ToDictionary(k => k.Key, k => k.Value.Key, StringComparer.Ordinal), published.ToDictionary(k => k.Key, k => k.Value.Validity, StringComparer.Ordinal));
    }

    /// <summary>Verifies a compact JWS and returns the head it signs, or why it does not.</summary>
    public TreeHeadVerification Verify(string? jws)
    {
        if (string.IsNullOrEmpty(jws))
        {
            return Fail(TreeHeadFailure.Malformed, "The signed head is empty.");
        }

        var parts = jws.Split('.');
        if (parts.Length != 3)
        {
            return Fail(TreeHeadFailure.Malformed, $"A JWS compact serialization has 3 parts; this has {parts.Length}.");
        }

        if (!Jose.TryDecode(parts[0], out var headerBytes) || !Jose.TryDecode(parts[1], out var payload) || !Jose.TryDecode(parts[2], out var signature))
        {
            return Fail(TreeHeadFailure.Malformed, "Each part must be unpadded base64url (RFC 7515 §2).");
        }

        if (ReadHeader(headerBytes, out var keyId) is { } refused)
        {
            return refused;
        }

        if (!keys.TryGetValue(keyId, out var publicKey))
        {
            return Fail(TreeHeadFailure.UnknownKey, $"No public key has id \"{keyId}\".");
        }

        if (signature.Length != Jose.SignatureSize)
        {
            return Fail(TreeHeadFailure.BadSignature, $"An ES256 signature is {Jose.SignatureSize} bytes (r ‖ s); this one is {signature.Length}.");
        }

        if (!Jose.HasLowS(signature))
        {
            return Fail(TreeHeadFailure.BadSignature, "The signature's s is above n/2: tree heads are signed in low-S form only, so that a head has one signature.");
        }

        bool verified;
        using (var key = ECDsa.Create(publicKey))
        {
            var signingInput = Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}");
            verified = key.VerifyData(signingInput, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }

        if (!verified)
        {
            return Fail(TreeHeadFailure.BadSignature, $"The signature does not verify under key \"{keyId}\".");
        }

        if (TreeHead.TryParse(payload, out var head) is { } problem)
        {
            return Fail(TreeHeadFailure.MalformedPayload, problem);
        }

        if (!string.Equals(head!.KeyId, keyId, StringComparison.Ordinal))
        {
            return Fail(TreeHeadFailure.KeyIdMismatch, $"The header names key \"{keyId}\" but the payload names \"{head.KeyId}\".");
        }

        return validity.TryGetValue(keyId, out var period) && !period.Covers(head.Timestamp)
            ? Fail(TreeHeadFailure.OutsideKeyValidity, $"Key \"{keyId}\" signs heads dated {period}; this head is dated {head.Timestamp.UtcDateTime:O}.")
            : new TreeHeadVerification(head, TreeHeadFailure.None, $"Signed by key \"{keyId}\".");
    }

    private static TreeHeadVerification? ReadHeader(byte[] header, out string keyId)
    {
        keyId = string.Empty;
        try
        {
            using var document = JsonDocument.Parse(header, new JsonDocumentOptions { AllowDuplicateProperties = false });
            var json = document.RootElement;
            if (json.ValueKind != JsonValueKind.Object)
            {
                return Fail(TreeHeadFailure.Malformed, "The JWS header must be a JSON object.");
            }

            if (!json.TryGetProperty("alg", out var alg) || alg.ValueKind != JsonValueKind.String || alg.GetString() != Jose.Algorithm)
            {
                var named = alg.ValueKind == JsonValueKind.String ? alg.GetString() : alg.ValueKind.ToString();
                return Fail(TreeHeadFailure.UnsupportedAlgorithm, $"Only alg {Jose.Algorithm} is accepted; the header says \"{named}\".");
            }

            if (!json.TryGetProperty("typ", out var typ) || typ.ValueKind != JsonValueKind.String || typ.GetString() != Jose.Type)
            {
                return Fail(TreeHeadFailure.WrongType, $"The header's typ must be \"{Jose.Type}\".");
            }

            if (!json.TryGetProperty("kid", out var kid) || kid.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(kid.GetString()))
            {
                return Fail(TreeHeadFailure.Malformed, "The header must name the key (kid).");
            }

            // Nothing else, "crit" and key-carrying parameters (jwk, jku, x5u) included: this format has no use for them.
            if (json.GetPropertyCount() != 3)
            {
                return Fail(TreeHeadFailure.Malformed, "The header must hold exactly alg, kid and typ.");
            }

            keyId = kid.GetString()!;

            // One head, one JWS: the header must be byte for byte the one the signer writes.
            return header.AsSpan().SequenceEqual(Jose.Header(keyId))
                ? null
                : Fail(TreeHeadFailure.Malformed, "The JWS header is not in RFC 8785 canonical form.");
        }
        catch (JsonException e)
        {
            return Fail(TreeHeadFailure.Malformed, $"The JWS header is not JSON: {e.Message}");
        }
    }

    private static TreeHeadVerification Fail(TreeHeadFailure failure, string reason) => new(null, failure, reason);
}
