using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Ngrtc.Audit.Integrity;

/// <summary>
/// The public tree-head keys as a JSON Web Key Set (RFC 7517 §5), each key
/// <c>{"kty":"EC","crv":"P-256","x":"…","y":"…","kid":"…","use":"sig","alg":"ES256"}</c> with x and y the
/// 32-byte coordinates in unpadded base64url (RFC 7518 §6.2.1).
/// </summary>
public static class Jwks
{
    /// <summary>The JWKS of the public halves of <paramref name="keys"/> (key id → key). Throws <see cref="ArgumentException"/> for a key that is not P-256.</summary>
    public static string Export(IEnumerable<KeyValuePair<string, ECDsa>> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return Export(keys.Select(k => KeyValuePair.Create(k.Key, Jose.PublicP256(k.Value, $"Key \"{k.Key}\""))));
    }

    /// <summary>The JWKS of the given public keys (key id → parameters).</summary>
    public static string Export(IEnumerable<KeyValuePair<string, ECParameters>> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var json = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(json))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("keys");
            foreach (var (keyId, parameters) in keys)
            {
                ArgumentException.ThrowIfNullOrEmpty(keyId);
                if (!Jose.IsP256(parameters.Curve))
                {
                    throw new ArgumentException($"Key \"{keyId}\" is not an EC P-256 key.", nameof(keys));
                }

                writer.WriteStartObject();
                writer.WriteString("kty", "EC");
                writer.WriteString("crv", "P-256");
                writer.WriteString("x", Jose.Encode(parameters.Q.X));
                writer.WriteString("y", Jose.Encode(parameters.Q.Y));
                writer.WriteString("kid", keyId);
                writer.WriteString("use", "sig");
                writer.WriteString("alg", Jose.Algorithm);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(json.WrittenSpan);
    }

    /// <summary>
    /// The P-256 public keys of a JWKS by key id. Throws <see cref="FormatException"/> when the document is not a
    /// JWKS, a key is not an EC P-256 signing key for ES256, a point is not on the curve, a key id repeats, or a
    /// key carries private material ("d"), which a published key set must never hold.
    /// </summary>
    public static IReadOnlyDictionary<string, ECParameters> Import(string jwks)
    {
        ArgumentNullException.ThrowIfNull(jwks);
        try
        {
            using var document = JsonDocument.Parse(jwks, new JsonDocumentOptions { AllowDuplicateProperties = false });
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("keys", out var keys) || keys.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException("A JWKS is an object with a \"keys\" array.");
            }

            var result = new Dictionary<string, ECParameters>(StringComparer.Ordinal);
            foreach (var key in keys.EnumerateArray())
            {
                var (keyId, parameters) = ImportKey(key);
                if (!result.TryAdd(keyId, parameters))
                {
                    throw new FormatException($"Key id \"{keyId}\" appears twice.");
                }
            }

            return result;
        }
        catch (JsonException e)
        {
            throw new FormatException($"The JWKS is not JSON: {e.Message}", e);
        }
    }

    private static (string KeyId, ECParameters Parameters) ImportKey(JsonElement key)
    {
        if (key.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("Each JWK is an object.");
        }

        var keyId = Member(key, "kid") ?? throw new FormatException("Each key needs a kid.");
        if (keyId.Length == 0)
        {
            throw new FormatException("A kid is not empty.");
        }

        if (Member(key, "kty") != "EC" || Member(key, "crv") != "P-256")
        {
            throw new FormatException($"Key \"{keyId}\" is not an EC P-256 key (kty EC, crv P-256).");
        }

        if (Member(key, "alg") is { } alg && alg != Jose.Algorithm)
        {
            throw new FormatException($"Key \"{keyId}\" is for {alg}, not {Jose.Algorithm}.");
        }

        if (Member(key, "use") is { } use && use != "sig")
        {
            throw new FormatException($"Key \"{keyId}\" is for \"{use}\", not signatures.");
        }

        if (key.TryGetProperty("d", out _))
        {
            throw new FormatException($"Key \"{keyId}\" carries its private part (d); publish only public keys.");
        }

        if (!Jose.TryDecode(Member(key, "x"), out var x) || !Jose.TryDecode(Member(key, "y"), out var y) || x.Length != 32 || y.Length != 32)
        {
            throw new FormatException($"Key \"{keyId}\" needs x and y as 32-byte base64url coordinates.");
        }

        var parameters = new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = new ECPoint { X = x, Y = y } };
        try
        {
            // Importing checks that the point is on the curve.
            using var ecdsa = ECDsa.Create(parameters);
        }
        catch (CryptographicException e)
        {
            throw new FormatException($"Key \"{keyId}\" is not a valid P-256 public key: {e.Message}", e);
        }

        return (keyId, parameters);
    }

    private static string? Member(JsonElement key, string name) =>
        key.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
