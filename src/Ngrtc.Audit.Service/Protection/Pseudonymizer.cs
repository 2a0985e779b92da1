using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Ngrtc.Audit.Protection;

namespace Ngrtc.Audit.Service.Protection;

public sealed class PseudonymOptions
{
    public const string Section = "Ngrtc:Pseudonyms";

    /// <summary>Base64 of at least 32 random bytes. Required outside Development; never logged.</summary>
    public string Key { get; set; } = "";
}

/// <summary>
/// Keyed pseudonyms: HMAC-SHA256 over the tenant and the normalised identifier, so the same person maps
/// the same way within a tenant and nobody without the key can link a pseudonym back to a number.
/// Identifiers are normalised by their kind (the catalogue field's category) with the protection library's
/// <see cref="IdentifierNormalizer"/>. (Epoch peppers and encryption: <see cref="FieldProtector"/>, issue 4.)
/// </summary>
public sealed class Pseudonymizer
{
    private readonly byte[] _key;

    public Pseudonymizer(IOptions<PseudonymOptions> options)
        : this(DecodeKey(options.Value.Key))
    {
    }

    internal Pseudonymizer(byte[] key) => _key = key;

    public string Pseudonymize(string tenant, string identifier, IdentifierKind kind)
    {
        var input = Encoding.UTF8.GetBytes($"{tenant}\n{IdentifierNormalizer.Default.NormalizeValue(identifier, kind)}");
        return Base64Url(HMACSHA256.HashData(_key, input));
    }

    public static bool IsUsableKey(string key)
    {
        try
        {
            DecodeKey(key);
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static byte[] DecodeKey(string key)
    {
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(key);
        }
        catch (FormatException)
        {
            throw new InvalidOperationException($"{PseudonymOptions.Section}:Key must be base64 of at least 32 random bytes.");
        }

        return bytes.Length >= 32
            ? bytes
            : throw new InvalidOperationException($"{PseudonymOptions.Section}:Key must be base64 of at least 32 random bytes.");
    }

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
