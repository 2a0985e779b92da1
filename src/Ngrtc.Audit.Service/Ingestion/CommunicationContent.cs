using System.Buffers.Text;
using System.Collections.Frozen;
using System.Text.Json;

namespace Ngrtc.Audit.Service.Ingestion;

/// <summary>
/// Recognises communication content sent where audit data belongs: a raw PASSporT or other JWS, a <c>data:</c> URI,
/// a long base64 blob, or a field named like content. The audit trail keeps hashes of such things, never the things
/// (EVENTS.md). Pure; the reasons never quote the value.
/// </summary>
public static class CommunicationContent
{
    /// <summary>Longer runs of the base64 alphabet than this are taken for encoded content, not an identifier or hash.</summary>
    public const int MaxBase64Length = 512;

    public const string ContentFieldReason = "communication content is not audit data";

    // Field names emitters use for what they must not send; compared case-insensitively.
    private static readonly FrozenSet<string> ContentFieldNames = new[]
    {
        "payload", "content", "media", "body", "passport", "identityHeader", "logo", "model", "modelBytes", "animation", "sdp",
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    public static bool IsContentFieldName(string name) => ContentFieldNames.Contains(name);

    /// <summary>Why <paramref name="value"/> is content rather than audit data, or null when it looks like data.</summary>
    public static string? Refusal(string value) => Kind(value) is { } kind ? $"communication content ({kind}) is not audit data; send its hash" : null;

    private static string? Kind(string value)
    {
        var text = value.Trim();
        if (text.StartsWith("data:", StringComparison.OrdinalIgnoreCase))
        {
            return "data: URI";
        }

        if (JwsKind(text) is { } jws)
        {
            return jws;
        }

        return text.Length > MaxBase64Length && text.All(c => IsBase64Char(c) || c is '\r' or '\n') ? "base64 blob" : null;
    }

    /// <summary>
    /// A compact JWS (header.payload.signature, RFC 7515) whose header decodes to a JSON object with <c>alg</c>;
    /// an Identity header (RFC 8224) carries one before its <c>;info=…</c> parameters. The payload may be empty
    /// (RFC 8224 compact form).
    /// </summary>
    private static string? JwsKind(string text)
    {
        if (text.Length < 5 || text.IndexOf('.') < 0)
        {
            return null;
        }

        var token = text.Split(';', 2)[0].Trim();
        var parts = token.Split('.');
        if (parts.Length != 3 || parts[0].Length == 0 || parts[2].Length == 0 || parts[0].Length > 4096
            || !parts.All(p => p.All(IsBase64UrlChar)))
        {
            return null;
        }

        // Dotted names (hosts, FQDNs) pass the alphabet check: a header must decode, and to a JSON object, before
        // it is parsed, so that ordinary values never cost a thrown exception.
        var decoded = new byte[Base64Url.GetMaxDecodedLength(parts[0].Length)];
        if (Base64Url.DecodeFromChars(parts[0], decoded, out _, out var length) != System.Buffers.OperationStatus.Done
            || decoded.AsSpan(0, length).TrimStart(" \t\r\n"u8) is not [(byte)'{', ..])
        {
            return null;
        }

        try
        {
            using var header = JsonDocument.Parse(decoded.AsMemory(0, length));
            var root = header.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("alg", out _))
            {
                return null;
            }

            var passport = root.TryGetProperty("ppt", out _)
                || (root.TryGetProperty("typ", out var typ) && typ.ValueKind == JsonValueKind.String
                    && string.Equals(typ.GetString(), "passport", StringComparison.OrdinalIgnoreCase));
            return passport ? "raw PASSporT" : "raw JWS";
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return null;
        }
    }

    private static bool IsBase64UrlChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_';

    private static bool IsBase64Char(char c) => char.IsAsciiLetterOrDigit(c) || c is '+' or '/' or '=' or '-' or '_';
}
