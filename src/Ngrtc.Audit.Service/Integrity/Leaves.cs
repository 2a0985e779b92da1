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
    private static LeafHasher? hasher;

    /// <summary>The leaf hash of a stored event's JSON (the <c>mt_events.data</c> column).</summary>
    public static byte[] Hash(string storedEventJson)
    {
        using var stored = JsonDocument.Parse(storedEventJson);
        using var leaf = JsonDocument.Parse(Document(stored.RootElement));
        hasher ??= new LeafHasher();
        return hasher.Hash(leaf.RootElement);
    }

    /// <summary>The leaf document (not yet canonical) of a stored event.</summary>
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
}
