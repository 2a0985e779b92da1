using System.Text;

namespace Ngrtc.Audit.Protection;

/// <summary>
/// Telephone numbers (RFC 3966 telephone-subscriber, MSISDN, human spellings) to E.164 <c>+digits</c> where the
/// number can be made global, else to a canonical local form <c>tel:digits[;phone-context=ctx]</c>.
/// </summary>
internal static class TelephoneNumbers
{
    /// <summary>RFC 3966 visual separators, plus what people type: spaces (also no-break and thin), tabs and slashes.</summary>
    private static bool IsSeparator(char c) => c is '-' or '.' or '(' or ')' or ' ' or '/' or '\t' or '\u00A0' or '\u2009' or '\u202F';

    /// <summary>An optional leading '+', then only digits and visual separators, at least three digits.</summary>
    public static bool LooksLikeNumber(string text)
    {
        var digits = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsAsciiDigit(c))
            {
                digits++;
            }
            else if (!(IsSeparator(c) || (c == '+' && i == 0)))
            {
                return false;
            }
        }

        return digits >= 3;
    }

    /// <summary>
    /// A telephone-subscriber (what follows <c>tel:</c>, a SIP user part, a bare number) in canonical form:
    /// <list type="bullet">
    /// <item>global <c>+…</c>: <c>+digits</c>; a <c>phone-context</c> on it is meaningless (RFC 3966 §5.1.5) and dropped;</item>
    /// <item>starting with the international prefix (<c>00</c>): <c>+</c> and the rest;</item>
    /// <item>starting with the trunk prefix (<c>0</c>): with a <c>phone-context=+CC</c> that country, else with the
    /// configured default country (a domain-name context is the operator's own network, TS 24.229 home-local numbers);
    /// without either it stays local;</item>
    /// <item>other digits without a context: an MSISDN in international format without '+' (TS 23.003), so <c>+digits</c>;</item>
    /// <item>other digits with a context (short codes, extensions): local, <c>tel:digits;phone-context=ctx</c>.</item>
    /// </list>
    /// Of the parameters only <c>ext</c> is kept (<c>;ext=digits</c>): an extension behind a shared number is a
    /// different person. <c>isub</c>, <c>npdi</c>, <c>rn</c>, <c>cic</c>, <c>verstat</c>, … route or describe the call.
    /// </summary>
    public static string Canonical(string subscriber, NormalizerOptions options)
    {
        var parts = subscriber.Split(';');
        string? context = null, extension = null;
        foreach (var parameter in parts.AsSpan(1))
        {
            var eq = parameter.IndexOf('=');
            if (eq <= 0)
            {
                continue;
            }

            var name = parameter[..eq].Trim();
            var value = parameter[(eq + 1)..].Trim();
            if (name.Equals("phone-context", StringComparison.OrdinalIgnoreCase))
            {
                context = CanonicalContext(value);
            }
            else if (name.Equals("ext", StringComparison.OrdinalIgnoreCase))
            {
                extension = Stripped(value);
            }
        }

        var ext = string.IsNullOrEmpty(extension) ? "" : ";ext=" + extension;
        var number = Stripped(parts[0].Trim());
        if (number.StartsWith('+'))
        {
            return number.Length > 1 && !number.AsSpan(1).ContainsAnyExcept("0123456789")
                ? number + ext
                : Local(number, context) + ext;
        }

        if (!number.All(char.IsAsciiDigit) || number.Length == 0)
        {
            return Local(number, context) + ext;
        }

        if (number.StartsWith(options.InternationalPrefix, StringComparison.Ordinal) && number.Length > options.InternationalPrefix.Length)
        {
            return "+" + number[options.InternationalPrefix.Length..] + ext;
        }

        if (number.StartsWith(options.TrunkPrefix, StringComparison.Ordinal))
        {
            var national = number[options.TrunkPrefix.Length..];
            var country = context is ['+', ..] ? context[1..] : options.DefaultCountryCode;
            return country is not null && national.Length > 0
                ? "+" + country + national + ext
                : Local(number, context) + ext;
        }

        return context is null ? "+" + number + ext : Local(number, context) + ext;
    }

    private static string Local(string number, string? context) =>
        "tel:" + number + (context is null ? "" : ";phone-context=" + context);

    /// <summary>A global-number context (<c>+33-1</c>) as <c>+digits</c>; a domain lower-case without a trailing dot.</summary>
    private static string CanonicalContext(string context) =>
        context.StartsWith('+') ? Stripped(context) : context.TrimEnd('.').ToLowerInvariant();

    /// <summary>The text without visual separators; the hex digits of local numbers (RFC 3966 A–D) upper-case.</summary>
    private static string Stripped(string text)
    {
        var result = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (!IsSeparator(c))
            {
                result.Append(char.ToUpperInvariant(c));
            }
        }

        return result.ToString();
    }
}
