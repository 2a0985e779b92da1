using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Ngrtc.Audit.Protection;

/// <summary>How national numbers are read; one operator (tenant) has one home country.</summary>
public sealed record NormalizerOptions
{
    public static NormalizerOptions Default { get; } = new();

    /// <summary>
    /// Country calling code for national numbers (digits, e.g. "33"): <c>06 12 34 56 78</c> becomes <c>+33612345678</c>.
    /// Null: national numbers stay national (<c>tel:0612345678</c>) and do not meet their E.164 spelling.
    /// </summary>
    public string? DefaultCountryCode { get; init; }

    /// <summary>The national trunk prefix dropped before the country code is put in front. Non-empty.</summary>
    public string TrunkPrefix { get; init; } = "0";

    /// <summary>The international call prefix that means "+" (<c>0049…</c> is <c>+49…</c>). Non-empty.</summary>
    public string InternationalPrefix { get; init; } = "00";

    internal void Validate()
    {
        if (DefaultCountryCode is { } cc && (cc.Length is 0 or > 3 || !cc.All(char.IsAsciiDigit)))
        {
            throw new ArgumentException("DefaultCountryCode must be 1–3 digits.", nameof(DefaultCountryCode));
        }

        if (TrunkPrefix.Length == 0 || !TrunkPrefix.All(char.IsAsciiDigit) || InternationalPrefix.Length == 0 || !InternationalPrefix.All(char.IsAsciiDigit))
        {
            throw new ArgumentException("TrunkPrefix and InternationalPrefix must be non-empty digit strings.");
        }
    }
}

/// <summary>
/// Brings every spelling of one identifier to one canonical form, so that the same person always gets the same
/// pseudonym and the same subject key. Total: it never throws for any input string (a value that does not parse
/// as its kind's syntax falls back to its trimmed text), so it can never leak a value through an exception.
/// The rules, per kind, are in PROTECTION.md; in short:
/// <list type="bullet">
/// <item>numbers (tel URIs, E.164, MSISDN digits, <c>00</c>-prefixed, national with the configured country,
/// <c>msisdn-</c> GPSIs, SIP URIs whose user part is a number) → <c>+digits</c> (plus <c>;ext=</c> when present);</item>
/// <item>SIP/SIPS URIs → <c>sip:user@host[:port]</c>: scheme and host lower-case, user kept, default port,
/// password, parameters and headers dropped;</item>
/// <item><c>user@domain</c> (IMPI, e-mail-like ids, <c>extid-</c>) → domain lower-case;</item>
/// <item>IP addresses → canonical text (IPv6 compressed lower-case, IPv4-mapped as IPv4);</item>
/// <item>DTLS fingerprints → <c>sha-256 AB:CD:…</c>;</item>
/// <item>display names → NFC, quotes and invisible format characters removed, whitespace collapsed, lower-case;</item>
/// <item>avatar and other opaque ids → trimmed only.</item>
/// </list>
/// </summary>
public sealed class IdentifierNormalizer
{
    public static IdentifierNormalizer Default { get; } = new(NormalizerOptions.Default);

    private readonly NormalizerOptions _options;

    public IdentifierNormalizer(NormalizerOptions options)
    {
        options.Validate();
        _options = options;
    }

    /// <summary>
    /// False when the process runs with <c>InvariantGlobalization</c>: then <see cref="string.Normalize()"/> silently
    /// returns its input and display names would not be NFC. <see cref="FieldProtector"/> refuses to start then.
    /// </summary>
    public static bool UnicodeNormalizationAvailable { get; } = "e\u0301".Normalize(NormalizationForm.FormC) == "\u00e9";

    /// <summary>The canonical form of <paramref name="value"/> read as <paramref name="kind"/>. Never throws.</summary>
    public NormalizedIdentifier Normalize(string value, IdentifierKind kind)
    {
        var text = value.Trim();
        return kind switch
        {
            IdentifierKind.PublicUserIdentity or IdentifierKind.TelephoneNumber or IdentifierKind.Gpsi
                or IdentifierKind.PrivateUserIdentity or IdentifierKind.ThirdPartyId =>
                new(IdentifierForm.Address, TryAddress(text, out var address) ? address : text),
            IdentifierKind.PresentedIdentity or IdentifierKind.ContactPerson =>
                TryAddress(text, out var presented)
                    ? new(IdentifierForm.Address, presented)
                    : new(IdentifierForm.DisplayName, DisplayName(text)),
            IdentifierKind.DisplayName => new(IdentifierForm.DisplayName, DisplayName(text)),
            IdentifierKind.IpAddress => new(IdentifierForm.IpAddress, IpAddressText(text)),
            IdentifierKind.DtlsFingerprint => new(IdentifierForm.DtlsFingerprint, Fingerprint(text)),
            IdentifierKind.AvatarId => new(IdentifierForm.AvatarId, text),
            IdentifierKind.OpaqueId => new(IdentifierForm.OpaqueId, text),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown identifier kind."),
        };
    }

    /// <summary>The canonical text only; see <see cref="Normalize(string, IdentifierKind)"/>.</summary>
    public string NormalizeValue(string value, IdentifierKind kind) => Normalize(value, kind).Value;

    /// <summary>True when <paramref name="text"/> has an address syntax: a URI, a GPSI, a number, <c>user@domain</c>.</summary>
    private bool TryAddress(string text, out string canonical)
    {
        canonical = text;
        if (text.Length == 0)
        {
            return false;
        }

        // name-addr as in P-Asserted-Identity: "Anna" <sip:anna@example.org>;tag=1 — the identity is the URI.
        var open = text.IndexOf('<');
        if (open >= 0 && text.IndexOf('>', open + 1) is var close and > 0)
        {
            return TryAddress(text[(open + 1)..close].Trim(), out canonical);
        }

        if (StartsWith(text, "sip:") || StartsWith(text, "sips:"))
        {
            canonical = SipUri(text);
            return true;
        }

        if (StartsWith(text, "tel:"))
        {
            canonical = TelephoneNumbers.Canonical(text[4..], _options);
            return true;
        }

        if (StartsWith(text, "msisdn-"))
        {
            canonical = TelephoneNumbers.Canonical(text[7..], _options);
            return true;
        }

        if (StartsWith(text, "extid-"))
        {
            canonical = "extid-" + (IsNai(text[6..]) ? Nai(text[6..]) : text[6..]);
            return true;
        }

        if (TelephoneNumbers.LooksLikeNumber(text))
        {
            canonical = TelephoneNumbers.Canonical(text, _options);
            return true;
        }

        if (IsNai(text))
        {
            canonical = Nai(text);
            return true;
        }

        return false;
    }

    private static bool StartsWith(string text, string prefix) => text.StartsWith(prefix, StringComparison.OrdinalIgnoreCase);

    /// <summary><c>user@domain</c> with no whitespace and something on both sides.</summary>
    private static bool IsNai(string text)
    {
        var at = text.LastIndexOf('@');
        return at > 0 && at < text.Length - 1 && !text.Any(char.IsWhiteSpace);
    }

    /// <summary>The user part kept as it is (RFC 5321 leaves its case to the domain), NFC; the domain lower-case without a trailing dot.</summary>
    private static string Nai(string text)
    {
        var at = text.LastIndexOf('@');
        var domain = text[(at + 1)..].TrimEnd('.');
        return Nfc(text[..at]) + "@" + HostName(domain);
    }

    /// <summary>
    /// RFC 3261 §19.1 with identity in mind: a SIP URI names a person by its user part and domain. <c>sips:</c> is
    /// the same person as <c>sip:</c> (the scheme asks for TLS, it does not name anyone else), the default port of the
    /// scheme, the password, every URI parameter (<c>transport</c>, <c>lr</c>, <c>maddr</c>, <c>gr</c> — a device of
    /// the person, not another person — …) and every header are dropped. A user part that is a number —
    /// <c>user=phone</c>, or a global number starting with <c>+</c> even without it (TS 24.229 senders omit it) — is
    /// the number, in the same E.164 form as its tel URI.
    /// </summary>
    private string SipUri(string text)
    {
        var colon = text.IndexOf(':');
        var secure = colon == 4;
        var rest = text[(colon + 1)..];
        var question = rest.IndexOf('?');
        if (question >= 0)
        {
            rest = rest[..question];
        }

        var at = rest.IndexOf('@');
        string? userinfo = at >= 0 ? rest[..at] : null;
        var hostPart = at >= 0 ? rest[(at + 1)..] : rest;
        var semicolon = hostPart.IndexOf(';');
        var hostPort = semicolon >= 0 ? hostPart[..semicolon] : hostPart;
        var userIsPhone = semicolon >= 0 && HasParameter(hostPart[(semicolon + 1)..], "user", "phone");

        var (host, port) = SplitHostPort(hostPort);
        var keepPort = port is { } p && p != (secure ? 5061 : 5060) ? ":" + p.ToString(CultureInfo.InvariantCulture) : "";
        var authority = host + keepPort;
        if (userinfo is null)
        {
            return "sip:" + authority;
        }

        // A password (user:password@) is a secret and names nobody: dropped.
        var user = PercentNormalized(userinfo.Split(':', 2)[0]);
        if (userIsPhone || (user.StartsWith('+') && TelephoneNumbers.LooksLikeNumber(user.Split(';', 2)[0])))
        {
            var number = TelephoneNumbers.Canonical(user, _options);
            if (number.StartsWith('+'))
            {
                return number;
            }

            user = number[4..]; // a local number that stays local: "tel:" dropped, its phone-context kept
        }

        return "sip:" + user + "@" + authority;
    }

    private static bool HasParameter(string parameters, string name, string value)
    {
        foreach (var parameter in parameters.Split(';'))
        {
            var eq = parameter.IndexOf('=');
            if (eq > 0 && parameter[..eq].Trim().Equals(name, StringComparison.OrdinalIgnoreCase)
                && parameter[(eq + 1)..].Trim().Equals(value, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static (string Host, int? Port) SplitHostPort(string hostPort)
    {
        if (hostPort.StartsWith('['))
        {
            var close = hostPort.IndexOf(']');
            if (close > 0)
            {
                var literal = hostPort[1..close];
                var canonical = IPAddress.TryParse(literal, out var v6) && v6.AddressFamily == AddressFamily.InterNetworkV6
                    ? "[" + v6 + "]"
                    : "[" + literal.ToLowerInvariant() + "]";
                return (canonical, Port(hostPort[(close + 1)..]));
            }
        }

        var colon = hostPort.LastIndexOf(':');
        return colon >= 0
            ? (HostName(hostPort[..colon].TrimEnd('.')), Port(hostPort[colon..]))
            : (HostName(hostPort.TrimEnd('.')), null);
    }

    private static int? Port(string colonPort) =>
        colonPort.Length > 1 && colonPort[0] == ':' && int.TryParse(colonPort.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            ? port
            : null;

    /// <summary>A host name lower-case; a dotted-quad IPv4 in canonical form.</summary>
    private static string HostName(string host) => TryIpv4(host, out var v4) ? v4 : host.ToLowerInvariant();

    /// <summary>
    /// RFC 3261 §19.1.4: an escaped character equals its unescaped self. Escapes of characters allowed unescaped
    /// in a user part are decoded, the rest keep their escape with upper-case hex.
    /// </summary>
    private static string PercentNormalized(string user)
    {
        if (!user.Contains('%'))
        {
            return user;
        }

        var result = new StringBuilder(user.Length);
        for (var i = 0; i < user.Length; i++)
        {
            if (user[i] == '%' && i + 2 < user.Length && char.IsAsciiHexDigit(user[i + 1]) && char.IsAsciiHexDigit(user[i + 2]))
            {
                var decoded = (char)Convert.ToByte(user.Substring(i + 1, 2), 16);
                if (char.IsAsciiLetterOrDigit(decoded) || "-_.!~*'()&=+$,;?/".Contains(decoded))
                {
                    result.Append(decoded);
                }
                else
                {
                    result.Append('%').Append(char.ToUpperInvariant(user[i + 1])).Append(char.ToUpperInvariant(user[i + 2]));
                }

                i += 2;
            }
            else
            {
                result.Append(user[i]);
            }
        }

        return result.ToString();
    }

    /// <summary>
    /// Display names: one surrounding pair of quotes removed (SIP quotes them), Unicode NFC, invisible format
    /// characters (zero-width space, BOM, soft hyphen; not ZWJ/ZWNJ, which change how text reads) removed,
    /// whitespace runs collapsed to one space, and lower-cased (simple invariant case mapping). Case-folded because a
    /// name is not a unique identifier anyway: "ANNA SCHMIDT" and "Anna Schmidt" are linked for erasure rather than
    /// one of them left readable.
    /// </summary>
    private static string DisplayName(string text)
    {
        if (text.Length >= 2 && text[0] == '"' && text[^1] == '"')
        {
            text = text[1..^1].Replace("\\\"", "\"", StringComparison.Ordinal);
        }

        text = Nfc(text);
        var result = new StringBuilder(text.Length);
        var pendingSpace = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                pendingSpace = result.Length > 0;
                continue;
            }

            if (char.GetUnicodeCategory(c) == UnicodeCategory.Format && c is not ('\u200C' or '\u200D'))
            {
                continue;
            }

            if (pendingSpace)
            {
                result.Append(' ');
                pendingSpace = false;
            }

            result.Append(c);
        }

        return result.ToString().ToLowerInvariant();
    }

    private static string Nfc(string text) => text.IsNormalized(NormalizationForm.FormC) ? text : text.Normalize(NormalizationForm.FormC);

    /// <summary>
    /// IPv4: strict dotted quad (leading zeros read as decimal, not octal). IPv6: brackets and zone dropped,
    /// RFC 5952 text (compressed, lower-case); an IPv4-mapped IPv6 address is the IPv4 address.
    /// </summary>
    private static string IpAddressText(string text)
    {
        var candidate = text.StartsWith('[') && text.EndsWith(']') ? text[1..^1] : text;
        if (candidate.Contains(':'))
        {
            var percent = candidate.IndexOf('%');
            if (percent >= 0)
            {
                candidate = candidate[..percent];
            }

            if (IPAddress.TryParse(candidate, out var address) && address.AddressFamily == AddressFamily.InterNetworkV6)
            {
                return address.IsIPv4MappedToIPv6 ? address.MapToIPv4().ToString() : address.ToString();
            }

            return text;
        }

        return TryIpv4(candidate, out var v4) ? v4 : text;
    }

    private static bool TryIpv4(string text, out string canonical)
    {
        canonical = text;
        var parts = text.Split('.');
        if (parts.Length != 4)
        {
            return false;
        }

        var octets = new int[4];
        for (var i = 0; i < 4; i++)
        {
            if (parts[i].Length is 0 or > 3 || !parts[i].All(char.IsAsciiDigit))
            {
                return false;
            }

            octets[i] = int.Parse(parts[i], CultureInfo.InvariantCulture);
            if (octets[i] > 255)
            {
                return false;
            }
        }

        canonical = string.Join('.', octets);
        return true;
    }

    /// <summary>
    /// RFC 8122 <c>a=fingerprint</c>: hash function lower-case (it is case-insensitive), the hex upper-case in
    /// colon-separated pairs (the RFC's UHEX), with or without colons in the input.
    /// </summary>
    private static string Fingerprint(string text)
    {
        if (StartsWith(text, "a=fingerprint:"))
        {
            text = text["a=fingerprint:".Length..].Trim();
        }

        var tokens = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (tokens.Length is 0 or > 2)
        {
            return string.Join(' ', tokens);
        }

        var hex = tokens[^1].Replace(":", "", StringComparison.Ordinal);
        if (hex.Length == 0 || hex.Length % 2 != 0 || !hex.All(char.IsAsciiHexDigit))
        {
            return string.Join(' ', tokens);
        }

        var pairs = string.Join(':', Enumerable.Range(0, hex.Length / 2).Select(i => hex.Substring(i * 2, 2).ToUpperInvariant()));
        return tokens.Length == 2 ? tokens[0].ToLowerInvariant() + " " + pairs : pairs;
    }
}
