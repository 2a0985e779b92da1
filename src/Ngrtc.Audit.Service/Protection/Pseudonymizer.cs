using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

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
/// (Per-tenant peppers and epochs come with the data-protection issue.)
/// </summary>
public sealed class Pseudonymizer
{
    private readonly byte[] _key;

    public Pseudonymizer(IOptions<PseudonymOptions> options)
        : this(DecodeKey(options.Value.Key))
    {
    }

    internal Pseudonymizer(byte[] key) => _key = key;

    public string Pseudonymize(string tenant, string identifier)
    {
        var input = Encoding.UTF8.GetBytes($"{tenant}\n{IdentifierNormalizer.Normalize(identifier)}");
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

/// <summary>Brings the spellings of one identifier to one form: tel URIs and numbers to digits with a
/// leading '+', SIP URIs lower-cased without parameters. The full normalisation comes with issue 4.</summary>
public static class IdentifierNormalizer
{
    public static string Normalize(string identifier)
    {
        var text = identifier.Trim();
        if (text.StartsWith("tel:", StringComparison.OrdinalIgnoreCase))
        {
            text = text[4..].Split(';', 2)[0];
        }

        if (text.StartsWith("sip:", StringComparison.OrdinalIgnoreCase) || text.StartsWith("sips:", StringComparison.OrdinalIgnoreCase))
        {
            return text.Split(';', 2)[0].ToLowerInvariant();
        }

        var digits = new string(text.Where(char.IsAsciiDigit).ToArray());
        var looksLikeNumber = digits.Length >= 5 && text.All(c => char.IsAsciiDigit(c) || c is '+' or '-' or ' ' or '.' or '(' or ')');
        return looksLikeNumber ? "+" + digits.TrimStart('0') : text.ToLowerInvariant();
    }
}
