using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Ngrtc.Audit.Integrity;

/// <summary>
/// The public tree-head keys as a JSON Web Key Set (RFC 7517 §5), each key
/// <c>{"kty":"EC","crv":"P-256","x":"…","y":"…","kid":"…","use":"sig","alg":"ES256"}</c> with x and y the
/// 32-byte coordinates in unpadded base64url (RFC 7518 §6.2.1), and, for a key with a validity period
/// (<see cref="KeyValidity"/>), <c>"nbf"</c> and/or <c>"exp"</c> as NumericDates (whole seconds since the epoch).
/// </summary>
public static class Jwks
{
    /// <summary>
    /// The JWKS of the public halves of <paramref name="keys"/> (key id → key), with the periods of
    /// <paramref name="validity"/>. Throws <see cref="ArgumentException"/> for a key that is not P-256.
    /// </summary>
    public static string Export(IEnumerable<KeyValuePair<string, ECDsa>> keys, IReadOnlyDictionary<string, KeyValidity>? validity = null)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return Export(keys.Select(k => KeyValuePair.Create(k.Key, Jose.PublicP256(k.Value, $"Key \"{k.Key}\""))), validity);
    }

    /// <summary>
    /// The JWKS of the given public keys (key id → parameters), with the periods of <paramref name="validity"/>.
    /// NumericDates are whole seconds: a bound that is not is refused, as it would not survive the round trip.
    /// </summary>
    public static string Export(IEnumerable<KeyValuePair<string, ECParameters>> keys, IReadOnlyDictionary<string, KeyValidity>? validity = null)
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
                if (validity is not null && validity.TryGetValue(keyId, out var period))
                {
                    period.Validate(keyId);
                    WriteNumericDate(writer, "nbf", keyId, period.NotBefore);
                    WriteNumericDate(writer, "exp", keyId, period.NotAfter);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(json.WrittenSpan);
    }

    private static void WriteNumericDate(Utf8JsonWriter writer, string name, string keyId, DateTimeOffset? at)
    {
        if (at is not { } time)
        {
            return;
        }

        if (time.UtcTicks % TimeSpan.TicksPerSecond != 0)
        {
            throw new ArgumentException($"Key \"{keyId}\": its {name} must be a whole second.");
        }

        writer.WriteNumber(name, time.ToUnixTimeSeconds());
    }

    /// <summary>
    /// The P-256 public keys of a JWKS by key id. Throws <see cref="FormatException"/> when the document is not a
    /// JWKS, a key is not an EC P-256 signing key for ES256, a point is not on the curve, a key id repeats, or a
    /// key carries private material ("d"), which a published key set must never hold.
    /// </summary>
    public static IReadOnlyDictionary<string, ECParameters> Import(string jwks) =>
        Read(jwks).ToDictionary(k => k.Key, k => k.Value.Key, StringComparer.Ordinal);

    /// <summary>
    /// The keys of a JWKS by key id with their validity periods (<c>nbf</c>, <c>exp</c>; open when absent). Throws
    /// <see cref="FormatException"/> as <see cref="Import"/> does, and for an <c>nbf</c> or <c>exp</c> that is not
    /// a whole number of seconds within the years 1–9999, or a period that ends before or when it begins.
    /// </summary>
    public static IReadOnlyDictionary<string, PublishedKey> Read(string jwks)
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

            var result = new Dictionary<string, PublishedKey>(StringComparer.Ordinal);
            foreach (var key in keys.EnumerateArray())
            {
                var (keyId, parameters) = ImportKey(key);
                var validity = new KeyValidity(NumericDate(key, "nbf", keyId), NumericDate(key, "exp", keyId));
                try
                {
                    validity.Validate(keyId);
                }
                catch (ArgumentException e)
                {
                    throw new FormatException(e.Message, e);
                }

                if (!result.TryAdd(keyId, new PublishedKey(parameters, validity)))
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

    private static DateTimeOffset? NumericDate(JsonElement key, string name, string keyId)
    {
        if (!key.TryGetProperty(name, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var seconds)
            || seconds < DateTimeOffset.MinValue.ToUnixTimeSeconds() || seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
        {
            throw new FormatException($"Key \"{keyId}\": {name} must be a NumericDate in whole seconds.");
        }

        return DateTimeOffset.FromUnixTimeSeconds(seconds);
    }

    private static string? Member(JsonElement key, string name) =>
        key.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

/// <summary>A key as a JWKS publishes it: the P-256 public key and when it may sign.</summary>
public sealed record PublishedKey(ECParameters Key, KeyValidity Validity);
