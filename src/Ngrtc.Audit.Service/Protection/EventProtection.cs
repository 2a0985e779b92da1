using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Ngrtc.Audit.Contracts.Catalogue;
using Ngrtc.Audit.Domain;
using Ngrtc.Audit.Protection;
using Ngrtc.Audit.Service.Ingestion;

namespace Ngrtc.Audit.Service.Protection;

/// <summary>
/// Turns validated events into what the store holds: every personal-data value (the catalogue's
/// classification) normalised, pseudonymised for its epoch and encrypted under its person's key by the
/// <see cref="FieldProtector"/>, in one call per batch; the data keeps the pseudonym in the value's place.
/// </summary>
public static class EventProtection
{
    /// <summary>The ciphertexts' associated data names the event by its idempotency key (source and id).</summary>
    public static string AssociatedEventId(AuditEnvelope envelope) => $"{envelope.Source}\n{envelope.Id}";

    /// <summary>Where a value sits: the field name, or <c>name[index]</c> for an item of a list field.</summary>
    public static string PathOf(string field, int? index) => index is { } i ? $"{field}[{i}]" : field;

    /// <param name="policyVersion">The policy in force, stamped on every record (it classified them).</param>
    public static async Task<AuditEventRecorded[]> RecordAsync(IReadOnlyList<IncomingEvent> events, FieldProtector protector, CancellationToken ct, string? policyVersion = null)
    {
        var requests = new List<ProtectionRequest>(events.Count * 2);
        var counts = new int[events.Count];
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            var eventId = AssociatedEventId(e.Envelope);
            foreach (var (path, kind, value) in PersonalValues(e.Descriptor, e.Data))
            {
                requests.Add(new ProtectionRequest(e.Envelope.Tenant, eventId, e.Envelope.Time, path, kind, value));
                counts[i]++;
            }
        }

        var protectedValues = await protector.ProtectAsync(requests, ct);
        var records = new AuditEventRecorded[events.Count];
        var next = 0;
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            var pseudonyms = new Dictionary<string, string>(counts[i], StringComparer.Ordinal);
            var sealedValues = new Dictionary<string, ProtectedField>(counts[i], StringComparer.Ordinal);
            for (var end = next + counts[i]; next < end; next++)
            {
                var value = protectedValues[next];
                pseudonyms[requests[next].FieldPath] = value.Pseudonym;
                sealedValues[requests[next].FieldPath] = new ProtectedField(value.Ciphertext, Digest(value.Ciphertext));
            }

            records[i] = new AuditEventRecorded(
                e.Envelope,
                ReplaceValues(e.Descriptor, e.Data, pseudonyms.GetValueOrDefault),
                pseudonyms,
                sealedValues,
                e.Descriptor.RetentionFor(e.Data),
                PolicyVersion: policyVersion);
        }

        return records;
    }

    /// <summary>
    /// The events as validated, personal data in clear: the ingestion benchmark's baseline only. What a service without
    /// protection would store and project: the subject maps name each personal value by itself, so the consent checks,
    /// the consent ledger and the registers do the same work as with protection, keyed by clear identifiers instead
    /// of pseudonyms (with empty maps they would skip it, and the baseline would measure less than ingestion).
    /// </summary>
    public static AuditEventRecorded[] Unprotected(IReadOnlyList<IncomingEvent> events, string? policyVersion = null) =>
        [.. events.Select(e => new AuditEventRecorded(
            e.Envelope,
            e.Data,
            PersonalValues(e.Descriptor, e.Data).ToDictionary(v => v.Path, v => v.Value, StringComparer.Ordinal),
            new Dictionary<string, ProtectedField>(),
            e.Descriptor.RetentionFor(e.Data),
            PolicyVersion: policyVersion))];

    /// <summary>SHA-256 of the ciphertext's UTF-8 bytes as stored, base64: what the integrity log's leaf holds in the value's place.</summary>
    public static string Digest(string ciphertext)
    {
        // Ciphertexts are ASCII (a prefix, a key id and base64url), so their UTF-8 bytes fit on the stack.
        Span<byte> bytes = ciphertext.Length <= 1024 ? stackalloc byte[ciphertext.Length * 3] : new byte[ciphertext.Length * 3];
        var length = Encoding.UTF8.GetBytes(ciphertext, bytes);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(bytes[..length], hash);
        return Convert.ToBase64String(hash);
    }

    /// <summary>The personal-data values of an event's data, in field order: (path, kind, value).</summary>
    public static IEnumerable<(string Path, IdentifierKind Kind, string Value)> PersonalValues(EventDescriptor descriptor, JsonElement data)
    {
        foreach (var field in descriptor.PersonalFields)
        {
            if (!data.TryGetProperty(field.JsonName, out var value))
            {
                continue;
            }

            var kind = IdentifierKinds.ForCategory(field.PersonalData!.Category);
            if (value.ValueKind == JsonValueKind.String)
            {
                yield return (field.JsonName, kind, value.GetString()!);
            }
            else if (value.ValueKind == JsonValueKind.Array)
            {
                var index = 0;
                foreach (var item in value.EnumerateArray())
                {
                    if (item.ValueKind == JsonValueKind.String)
                    {
                        yield return (PathOf(field.JsonName, index), kind, item.GetString()!);
                    }

                    index++;
                }
            }
        }
    }

    /// <summary>
    /// The data with each personal value replaced by what <paramref name="replacement"/> gives for its path
    /// (null where it gives nothing); lists keep their length, so every path stays where it was.
    /// </summary>
    public static JsonElement ReplaceValues(EventDescriptor descriptor, JsonElement data, Func<string, string?> replacement)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var property in data.EnumerateObject())
            {
                var personal = descriptor.FieldsByName.TryGetValue(property.Name, out var field) && field.PersonalData is not null;
                if (!personal)
                {
                    property.WriteTo(writer);
                    continue;
                }

                writer.WritePropertyName(property.Name);
                if (property.Value.ValueKind == JsonValueKind.Array)
                {
                    writer.WriteStartArray();
                    for (var index = 0; index < property.Value.GetArrayLength(); index++)
                    {
                        WriteNullable(writer, replacement(PathOf(property.Name, index)));
                    }

                    writer.WriteEndArray();
                }
                else
                {
                    WriteNullable(writer, replacement(property.Name));
                }
            }

            writer.WriteEndObject();
        }

        var reader = new Utf8JsonReader(buffer.WrittenSpan);
        return JsonElement.ParseValue(ref reader);
    }

    private static void WriteNullable(Utf8JsonWriter writer, string? value)
    {
        if (value is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            writer.WriteStringValue(value);
        }
    }
}
