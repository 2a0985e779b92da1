using System.Buffers;
using System.Text.Json;
using Ngrtc.Audit.Integrity;
using Ngrtc.Audit.Service.Protection;

namespace Ngrtc.Audit.Service.Integrity;

/// <summary>
/// The leaf of a stored event (src/Ngrtc.Audit.Integrity/LEAF.md): RFC 8785 canonical JSON of
/// <c>{"envelope": …, "data": …}</c> as stored, envelope members that are null left out, and the value at every
/// protected path of the data replaced by its ciphertext's digest (base64 SHA-256 of the ciphertext as stored),
/// and <c>"policy": "&lt;version&gt;"</c> when the record carries the policy version that classified it (so the stamp is
/// tamper-evident). Pseudonyms, ciphertexts, retention and redaction marks are outside the leaf, so erasure and
/// retention never change it.
/// </summary>
public static class Leaves
{
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? canonical;

    /// <summary>The leaf hash of a stored event's JSON (the <c>mt_events.data</c> column).</summary>
    public static byte[] Hash(string storedEventJson)
    {
        using var stored = JsonDocument.Parse(storedEventJson);
        var hash = new byte[MerkleHash.Size];
        Hash(stored.RootElement, hash);
        return hash;
    }

    /// <summary>Writes the leaf hash of a stored event's JSON, as UTF-8, to <paramref name="destination"/> (32 bytes).</summary>
    public static void Hash(ReadOnlyMemory<byte> storedEventUtf8, Span<byte> destination)
    {
        using var stored = JsonDocument.Parse(storedEventUtf8);
        Hash(stored.RootElement, destination);
    }

    /// <summary>
    /// The leaf hashes of many stored events (their JSON as UTF-8), 32 bytes each in the same order, and each event's
    /// envelope id (null where it has none); spread over the cores in ranges of 256 events.
    /// </summary>
    public static (byte[] Leaves, string?[] EventIds) HashMany(IReadOnlyList<byte[]> storedEventsUtf8)
    {
        var leaves = new byte[storedEventsUtf8.Count * MerkleHash.Size];
        var eventIds = new string?[storedEventsUtf8.Count];
        HashMany(storedEventsUtf8, leaves, eventIds);
        return (leaves, eventIds);
    }

    /// <summary>As <see cref="HashMany(IReadOnlyList{byte[]})"/>, into buffers the caller holds.</summary>
    public static void HashMany(IReadOnlyList<byte[]> storedEventsUtf8, byte[] leaves, string?[] eventIds)
    {
        const int Range = 256;
        if (leaves.Length < storedEventsUtf8.Count * MerkleHash.Size || eventIds.Length < storedEventsUtf8.Count)
        {
            throw new ArgumentException("One leaf hash and one event id slot per event are required.");
        }

        Parallel.For(0, (storedEventsUtf8.Count + Range - 1) / Range, range =>
        {
            for (var i = range * Range; i < Math.Min(storedEventsUtf8.Count, (range + 1) * Range); i++)
            {
                using var stored = JsonDocument.Parse(storedEventsUtf8[i]);
                Hash(stored.RootElement, leaves.AsSpan(i * MerkleHash.Size, MerkleHash.Size));
                eventIds[i] = stored.RootElement.GetProperty("envelope").TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String
                    ? id.GetString()
                    : null;
            }
        });
    }

    /// <summary>Writes the leaf hash of a stored event to <paramref name="destination"/> (32 bytes).</summary>
    public static void Hash(JsonElement stored, Span<byte> destination)
    {
        var buffer = canonical ??= new ArrayBufferWriter<byte>(4096);
        buffer.ResetWrittenCount();
        CanonicalBytes(stored, buffer);
        MerkleHash.Leaf(buffer.WrittenSpan, destination);
    }

    /// <summary>
    /// The leaf bytes (JCS of the leaf document) of a stored event, written in one pass over the stored JSON: the
    /// same bytes as canonicalizing <see cref="Document"/>, without building and parsing that document.
    /// </summary>
    public static void CanonicalBytes(JsonElement stored, IBufferWriter<byte> output)
    {
        var digests = ProtectedDigests.Of(stored);
        var data = stored.GetProperty("data");
        var envelope = stored.GetProperty("envelope");

        // "data" sorts before "envelope".
        output.Write("{\"data\":"u8);
        JsonCanonicalizer.CanonicalizeObject(data, output, new DataMembers(digests));
        output.Write(",\"envelope\":"u8);
        JsonCanonicalizer.CanonicalizeObject(envelope, output, default(NonNullMembers));
        // "policy" sorts last; only records stamped with the policy version that classified them have it.
        if (stored.TryGetProperty("policyVersion", out var policy) && policy.ValueKind == JsonValueKind.String)
        {
            output.Write(",\"policy\":"u8);
            output.Write(JsonCanonicalizer.Canonicalize(policy));
        }

        output.Write("}"u8);
    }

    /// <summary>
    /// The leaf document (not yet canonical) of a stored event: the definition in its plainest form, which
    /// <see cref="CanonicalBytes"/> must match byte for byte once canonicalized (the unit tests compare them).
    /// </summary>
    public static byte[] Document(JsonElement stored)
    {
        var digests = new Dictionary<string, string>(StringComparer.Ordinal);
        if (stored.TryGetProperty("protected", out var sealedValues) && sealedValues.ValueKind == JsonValueKind.Object)
        {
            foreach (var value in sealedValues.EnumerateObject())
            {
                digests[value.Name] = value.Value.GetProperty("digest").GetString()!;
            }
        }

        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WritePropertyName("envelope");
            writer.WriteStartObject();
            foreach (var member in stored.GetProperty("envelope").EnumerateObject())
            {
                if (member.Value.ValueKind != JsonValueKind.Null)
                {
                    member.WriteTo(writer);
                }
            }

            writer.WriteEndObject();
            writer.WritePropertyName("data");
            writer.WriteStartObject();
            foreach (var member in stored.GetProperty("data").EnumerateObject())
            {
                writer.WritePropertyName(member.Name);
                if (member.Value.ValueKind == JsonValueKind.Array)
                {
                    writer.WriteStartArray();
                    var index = 0;
                    foreach (var item in member.Value.EnumerateArray())
                    {
                        if (digests.TryGetValue(EventProtection.PathOf(member.Name, index++), out var digest))
                        {
                            writer.WriteStringValue(digest);
                        }
                        else
                        {
                            item.WriteTo(writer);
                        }
                    }

                    writer.WriteEndArray();
                }
                else if (digests.TryGetValue(member.Name, out var digest))
                {
                    writer.WriteStringValue(digest);
                }
                else
                {
                    member.Value.WriteTo(writer);
                }
            }

            writer.WriteEndObject();
            if (stored.TryGetProperty("policyVersion", out var policy) && policy.ValueKind == JsonValueKind.String)
            {
                writer.WriteString("policy", policy.GetString());
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// The stored <c>protected</c> map's digests by path (<see cref="EventProtection.PathOf"/>): a field name, or
    /// <c>name[index]</c>, split once so that a data member is matched without building its path strings.
    /// </summary>
    private sealed class ProtectedDigests
    {
        private static readonly ProtectedDigests None = new([]);

        private readonly (string Path, string? Field, int Index, JsonElement Digest)[] _entries;

        private ProtectedDigests((string, string?, int, JsonElement)[] entries) => _entries = entries;

        public bool IsEmpty => _entries.Length == 0;

        public static ProtectedDigests Of(JsonElement stored)
        {
            if (!stored.TryGetProperty("protected", out var sealedValues) || sealedValues.ValueKind != JsonValueKind.Object)
            {
                return None;
            }

            var entries = new (string, string?, int, JsonElement)[sealedValues.GetPropertyCount()];
            var i = 0;
            foreach (var value in sealedValues.EnumerateObject())
            {
                var digest = value.Value.GetProperty("digest");
                if (digest.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
                {
                    throw new InvalidOperationException("A protected value's digest is not a string.");
                }

                var path = value.Name;
                var (field, index) = SplitItemPath(path);
                entries[i++] = (path, field, index, digest);
            }

            return entries.Length == 0 ? None : new ProtectedDigests(entries);
        }

        /// <summary>The digest stored for the member itself (a field that is not a list).</summary>
        public bool TryGet(JsonProperty member, out JsonElement digest)
        {
            // The last entry for a path wins, as in a dictionary filled in order (paths are unique in jsonb anyway).
            for (var i = _entries.Length - 1; i >= 0; i--)
            {
                if (member.NameEquals(_entries[i].Path))
                {
                    digest = _entries[i].Digest;
                    return true;
                }
            }

            digest = default;
            return false;
        }

        /// <summary>Whether any digest is stored for an item of the list <paramref name="member"/>.</summary>
        public bool HasItemsOf(JsonProperty member)
        {
            foreach (var entry in _entries)
            {
                if (entry.Field is { } field && member.NameEquals(field))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>The digest stored for item <paramref name="index"/> of the list <paramref name="member"/>.</summary>
        public bool TryGetItem(JsonProperty member, int index, out JsonElement digest)
        {
            for (var i = _entries.Length - 1; i >= 0; i--)
            {
                if (_entries[i].Index == index && _entries[i].Field is { } field && member.NameEquals(field))
                {
                    digest = _entries[i].Digest;
                    return true;
                }
            }

            digest = default;
            return false;
        }

        // "name[12]" → ("name", 12), exactly the strings PathOf makes for list items; anything else → (null, -1).
        private static (string? Field, int Index) SplitItemPath(string path)
        {
            var open = path.LastIndexOf('[');
            if (open < 0 || path.Length < open + 3 || path[^1] != ']')
            {
                return (null, -1);
            }

            var digits = path.AsSpan(open + 1, path.Length - open - 2);
            if ((digits.Length > 1 && digits[0] == '0') || digits.ContainsAnyExceptInRange('0', '9')
                || !int.TryParse(digits, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index))
            {
                return (null, -1);
            }

            return (path[..open], index);
        }
    }

    // The data as stored, every protected value replaced by its digest; a list keeps its length, items by path.
    private readonly struct DataMembers(ProtectedDigests digests) : ICanonicalMembers
    {
        public bool Includes(JsonProperty member) => true;

        public void WriteValue(JsonProperty member, IBufferWriter<byte> output)
        {
            if (member.Value.ValueKind == JsonValueKind.Array)
            {
                if (digests.IsEmpty || !digests.HasItemsOf(member))
                {
                    JsonCanonicalizer.Canonicalize(member.Value, output);
                    return;
                }

                output.Write("["u8);
                var index = 0;
                foreach (var item in member.Value.EnumerateArray())
                {
                    if (index > 0)
                    {
                        output.Write(","u8);
                    }

                    JsonCanonicalizer.Canonicalize(digests.TryGetItem(member, index, out var digest) ? digest : item, output);
                    index++;
                }

                output.Write("]"u8);
            }
            else if (!digests.IsEmpty && digests.TryGet(member, out var digest))
            {
                JsonCanonicalizer.Canonicalize(digest, output);
            }
            else
            {
                JsonCanonicalizer.Canonicalize(member.Value, output);
            }
        }
    }

    // The envelope as stored, members that are null left out.
    private readonly struct NonNullMembers : ICanonicalMembers
    {
        public bool Includes(JsonProperty member) => member.Value.ValueKind != JsonValueKind.Null;

        public void WriteValue(JsonProperty member, IBufferWriter<byte> output) => JsonCanonicalizer.Canonicalize(member.Value, output);
    }
}
