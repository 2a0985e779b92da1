using System.Buffers;
using System.Buffers.Text;
using System.Numerics;
using System.Security.Cryptography;
using System.Text.Json;

namespace Ngrtc.Audit.Integrity;

/// <summary>The JOSE pieces tree heads use: ES256 on P-256, base64url without padding, the JWS header.</summary>
internal static class Jose
{
    public const string Algorithm = "ES256";

    /// <summary>The JWS "typ" of a signed tree head (RFC 7515 §4.1.9, explicit typing per RFC 8725 §3.11).</summary>
    public const string Type = "ngrtc-tree-head+jwt";

    /// <summary>ES256 signatures are r ‖ s, 32 bytes each (RFC 7518 §3.4).</summary>
    public const int SignatureSize = 64;

    private const string P256Oid = "1.2.840.10045.3.1.7";

    /// <summary>The order n of P-256's base point (FIPS 186-5, SEC 2).</summary>
    private static readonly BigInteger P256Order =
        BigInteger.Parse("0FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", System.Globalization.NumberStyles.HexNumber);

    private static readonly BigInteger P256HalfOrder = P256Order >> 1;

    /// <summary>
    /// Whether s ≤ n/2. ECDSA accepts (r, s) and (r, n − s) alike, so one head would have two valid JWSs; the
    /// signer writes only the low one and the verifier accepts only it, so a head has exactly one signature.
    /// </summary>
    public static bool HasLowS(ReadOnlySpan<byte> signature) =>
        new BigInteger(signature[32..], isUnsigned: true, isBigEndian: true) <= P256HalfOrder;

    /// <summary>Rewrites an r ‖ s signature with s &gt; n/2 as r ‖ (n − s), the same signature in low-S form.</summary>
    public static byte[] WithLowS(byte[] signature)
    {
        if (HasLowS(signature))
        {
            return signature;
        }

        var s = P256Order - new BigInteger(signature.AsSpan(32), isUnsigned: true, isBigEndian: true);
        var low = (byte[])signature.Clone();
        low.AsSpan(32).Clear();
        s.TryWriteBytes(low.AsSpan(32 + 32 - s.GetByteCount(isUnsigned: true)), out _, isUnsigned: true, isBigEndian: true);
        return low;
    }

    /// <summary>The canonical protected header: {"alg":"ES256","kid":…,"typ":"ngrtc-tree-head+jwt"}.</summary>
    public static byte[] Header(string keyId)
    {
        var text = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(text))
        {
            writer.WriteStartObject();
            writer.WriteString("alg", Algorithm);
            writer.WriteString("kid", keyId);
            writer.WriteString("typ", Type);
            writer.WriteEndObject();
        }

        // Utf8JsonWriter escapes non-ASCII key ids; the canonical form writes them literally.
        using var json = JsonDocument.Parse(text.WrittenMemory);
        return JsonCanonicalizer.Canonicalize(json.RootElement);
    }

    public static string Encode(ReadOnlySpan<byte> bytes) => Base64Url.EncodeToString(bytes);

    /// <summary>Decodes base64url, accepting only the one encoding <see cref="Encode"/> writes (no padding, no whitespace, zero spare bits).</summary>
    public static bool TryDecode(ReadOnlySpan<char> text, out byte[] bytes)
    {
        bytes = [];
        foreach (var c in text)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '-' && c != '_')
            {
                return false;
            }
        }

        try
        {
            var decoded = Base64Url.DecodeFromChars(text);
            if (!text.SequenceEqual(Encode(decoded)))
            {
                return false;
            }

            bytes = decoded;
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    public static bool IsP256(ECCurve curve) =>
        curve.IsNamed && (curve.Oid.Value == P256Oid || curve.Oid.FriendlyName is "nistP256" or "ECDSA_P256" or "secp256r1");

    /// <summary>The public half of a P-256 key; throws <see cref="ArgumentException"/> for any other key.</summary>
    public static ECParameters PublicP256(ECDsa key, string what)
    {
        ArgumentNullException.ThrowIfNull(key);
        var parameters = key.ExportParameters(includePrivateParameters: false);
        if (!IsP256(parameters.Curve))
        {
            throw new ArgumentException($"{what} must be an EC P-256 key (ES256); this one is {parameters.Curve.Oid.FriendlyName ?? parameters.Curve.Oid.Value ?? "not a named curve"}.");
        }

        return parameters;
    }
}
