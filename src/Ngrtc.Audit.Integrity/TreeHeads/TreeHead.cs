using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace Ngrtc.Audit.Integrity;

/// <summary>
/// A tree head: what the log of <paramref name="Tenant"/> looked like at one moment. Signed as the payload of a
/// JWS (see <see cref="TreeHeadSigner"/>), in RFC 8785 canonical JSON:
/// <code>{"keyId":"k1","previousHeadHash":"…base64…"|null,"rootHash":"…base64…","tenant":"op-1","timestamp":"2026-11-27T12:00:00.123Z","treeSize":42}</code>
/// Hashes are standard base64 (RFC 4648 §4) of 32 bytes; the timestamp is RFC 3339 UTC with milliseconds;
/// <c>previousHeadHash</c> is <see cref="TreeHeadChain.HashOf"/> of the previous signed head, null for a log's first.
/// Equality compares the hashes by content.
/// </summary>
/// <param name="Tenant">The tenant whose log this is; not empty.</param>
/// <param name="TreeSize">Leaves in the tree, 0 to 2^53 (the range JSON numbers keep exactly).</param>
/// <param name="RootHash">MTH of those leaves, 32 bytes.</param>
/// <param name="Timestamp">When the head was sealed; signed with millisecond precision, in UTC.</param>
/// <param name="PreviousHeadHash">SHA-256 of the previous signed head's compact JWS, or null for the first head.</param>
/// <param name="KeyId">The id of the signing key; also the JWS header's "kid".</param>
public sealed record TreeHead(string Tenant, long TreeSize, byte[] RootHash, DateTimeOffset Timestamp, byte[]? PreviousHeadHash, string KeyId)
{
    /// <summary>The largest tree size a JSON number carries exactly.</summary>
    public const long MaxTreeSize = 1L << 53;

    private const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    /// <inheritdoc />
    public bool Equals(TreeHead? other) =>
        other is not null
        && string.Equals(Tenant, other.Tenant, StringComparison.Ordinal)
        && TreeSize == other.TreeSize
        && RootHash.AsSpan().SequenceEqual(other.RootHash)
        && Timestamp == other.Timestamp
        && (PreviousHeadHash is null ? other.PreviousHeadHash is null : other.PreviousHeadHash is not null && PreviousHeadHash.AsSpan().SequenceEqual(other.PreviousHeadHash))
        && string.Equals(KeyId, other.KeyId, StringComparison.Ordinal);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Tenant, TreeSize, Convert.ToBase64String(RootHash), Timestamp, KeyId);

    /// <summary>The head with its timestamp in UTC and cut to whole milliseconds, as it is signed.</summary>
    internal TreeHead Normalized()
    {
        var utc = Timestamp.ToUniversalTime();
        return this with { Timestamp = new DateTimeOffset(utc.Ticks - utc.Ticks % TimeSpan.TicksPerMillisecond, TimeSpan.Zero) };
    }

    /// <summary>The canonical JSON payload. Requires the preconditions of the parameters.</summary>
    internal byte[] ToPayload()
    {
        if (Problem() is { } problem)
        {
            throw new ArgumentException(problem);
        }

        var json = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(json))
        {
            writer.WriteStartObject();
            writer.WriteString("keyId", KeyId);
            if (PreviousHeadHash is null)
            {
                writer.WriteNull("previousHeadHash");
            }
            else
            {
                writer.WriteString("previousHeadHash", Convert.ToBase64String(PreviousHeadHash));
            }

            writer.WriteString("rootHash", Convert.ToBase64String(RootHash));
            writer.WriteString("tenant", Tenant);
            writer.WriteString("timestamp", Timestamp.ToUniversalTime().ToString(TimestampFormat, CultureInfo.InvariantCulture));
            writer.WriteNumber("treeSize", TreeSize);
            writer.WriteEndObject();
        }

        // Utf8JsonWriter escapes non-ASCII; the canonical form writes it literally.
        using var document = JsonDocument.Parse(json.WrittenMemory);
        return JsonCanonicalizer.Canonicalize(document.RootElement);
    }

    /// <summary>Reads a payload; returns why it is not a canonical tree head, or null.</summary>
    internal static string? TryParse(ReadOnlySpan<byte> payload, out TreeHead? head)
    {
        head = null;
        try
        {
            using var document = JsonDocument.Parse(payload.ToArray(), new JsonDocumentOptions { AllowDuplicateProperties = false });
            var json = document.RootElement;
            if (json.ValueKind != JsonValueKind.Object || json.GetPropertyCount() != 6)
            {
                return "The payload must be an object with exactly keyId, previousHeadHash, rootHash, tenant, timestamp and treeSize.";
            }

            if (!json.TryGetProperty("keyId", out var keyId) || keyId.ValueKind != JsonValueKind.String
                || !json.TryGetProperty("tenant", out var tenant) || tenant.ValueKind != JsonValueKind.String
                || !json.TryGetProperty("rootHash", out var rootHash) || rootHash.ValueKind != JsonValueKind.String
                || !json.TryGetProperty("previousHeadHash", out var previous) || previous.ValueKind is not (JsonValueKind.String or JsonValueKind.Null)
                || !json.TryGetProperty("timestamp", out var timestamp) || timestamp.ValueKind != JsonValueKind.String
                || !json.TryGetProperty("treeSize", out var treeSize) || !treeSize.TryGetInt64(out var size))
            {
                return "The payload must hold keyId, tenant, rootHash, timestamp (strings), previousHeadHash (string or null) and treeSize (whole number).";
            }

            if (!DateTimeOffset.TryParseExact(timestamp.GetString(), TimestampFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at))
            {
                return $"The timestamp must be RFC 3339 UTC with milliseconds ({TimestampFormat}).";
            }

            var parsed = new TreeHead(
                tenant.GetString()!,
                size,
                Base64OrEmpty(rootHash.GetString()!),
                at,
                previous.ValueKind == JsonValueKind.Null ? null : Base64OrEmpty(previous.GetString()!),
                keyId.GetString()!);
            if (parsed.Problem() is { } problem)
            {
                return problem;
            }

            // One head, one byte sequence: anything the signer would not have written is refused.
            if (!parsed.ToPayload().AsSpan().SequenceEqual(payload))
            {
                return "The payload is not in RFC 8785 canonical form.";
            }

            head = parsed;
            return null;
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException)
        {
            return $"The payload is not a tree head: {e.Message}";
        }
    }

    private string? Problem()
    {
        if (string.IsNullOrEmpty(Tenant))
        {
            return "A tree head needs a tenant.";
        }

        if (string.IsNullOrEmpty(KeyId))
        {
            return "A tree head needs a key id.";
        }

        if (TreeSize is < 0 or > MaxTreeSize)
        {
            return $"The tree size must be between 0 and 2^53; got {TreeSize}.";
        }

        if (RootHash is null || !MerkleHash.IsHash(RootHash))
        {
            return $"The root hash must be {MerkleHash.Size} bytes.";
        }

        if (PreviousHeadHash is not null && !MerkleHash.IsHash(PreviousHeadHash))
        {
            return $"The previous head hash must be {MerkleHash.Size} bytes or absent.";
        }

        return null;
    }

    private static byte[] Base64OrEmpty(string text)
    {
        var bytes = new byte[text.Length * 3 / 4];
        return Convert.TryFromBase64String(text, bytes, out var written) ? bytes[..written] : [];
    }
}
