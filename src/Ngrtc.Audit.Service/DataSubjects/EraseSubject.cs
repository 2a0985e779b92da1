using System.Text.Json;
using Marten;
using Ngrtc.Audit.Domain;
using Ngrtc.Audit.Protection;
using Ngrtc.Audit.Service.DeadLetters;
using Ngrtc.Audit.Service.Hosting;
using Ngrtc.Audit.Service.Ingestion;
using Npgsql;

namespace Ngrtc.Audit.Service.DataSubjects;

/// <summary>Erase one person of one tenant: every data key of theirs destroyed, their dead letters deleted.</summary>
public sealed record EraseSubject(string Tenant, IdentifierKind Kind, string Identifier, string CaseId, DateTimeOffset At)
{
    public override string ToString() => $"EraseSubject {{ Tenant = {Tenant}, Kind = {Kind}, CaseId = {CaseId}, At = {At:O} }}";
}

public sealed record SubjectErasureResult(int KeysDestroyed, IReadOnlyList<string> Epochs, int DeadLettersRemoved);

/// <summary>
/// Crypto-shredding: the person's keys go, so every ciphertext of theirs — in every stored event, every epoch,
/// every backup of the events table — is unreadable from then on, while the events, their pseudonyms, the other
/// party's values and every integrity-log leaf stay. Their dead letters (raw messages, in clear) are deleted.
/// A receipt without personal data is appended.
/// </summary>
public static partial class EraseSubjectHandler
{
    public static async Task<SubjectErasureResult> Handle(EraseSubject command, FieldProtector protector, NpgsqlDataSource database, IDocumentStore store, CancellationToken ct, ILogger? logger = null)
    {
        var shredded = await protector.DestroySubjectAsync(command.Tenant, command.Kind, command.Identifier, command.At, ct);
        var target = protector.Normalizer.Normalize(command.Identifier, command.Kind);
        var removed = await DeadLetterErasure.RemoveAsync(
            database,
            command.Tenant,
            value => protector.Normalizer.Normalize(value, command.Kind) == target,
            ct);
        var epochs = shredded.Epochs.Select(e => e.Label).ToList();

        await store.AppendReceiptAsync(
            command.Tenant, SubjectReceiptStreams.Erasure, new SubjectErasureExecuted(command.CaseId, shredded.KeyCount, epochs, removed, command.At), ct);
        if (logger is not null)
        {
            Erased(logger, command.Identifier, command.CaseId, shredded.KeyCount, removed);
        }

        return new SubjectErasureResult(shredded.KeyCount, epochs, removed);
    }
}

public static partial class EraseSubjectHandler
{
    // The identifier is classified: every log sink shows the redaction marker in its place.
    [LoggerMessage(Level = LogLevel.Information, Message = "Erased subject {Identifier} for case {CaseId}: {Keys} keys destroyed, {DeadLetters} dead letters deleted")]
    private static partial void Erased(ILogger logger, [Hosting.PersonalDataLog] string identifier, string caseId, int keys, int deadLetters);
}

/// <summary>Deletes the tenant's dead letters that carry a given person anywhere in an event's data.</summary>
public static class DeadLetterErasure
{
    public static async Task<int> RemoveAsync(NpgsqlDataSource database, string tenant, Func<string, bool> isThePerson, CancellationToken ct)
    {
        var doomed = new List<Guid>();
        await using (var select = database.CreateCommand($"select id, body from {DeadLetterAdmin.Table}"))
        await using (var reader = await select.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                if (!reader.IsDBNull(1) && Mentions(reader.GetFieldValue<byte[]>(1), tenant, isThePerson))
                {
                    doomed.Add(reader.GetGuid(0));
                }
            }
        }

        if (doomed.Count == 0)
        {
            return 0;
        }

        await using var delete = database.CreateCommand($"delete from {DeadLetterAdmin.Table} where id = any($1)");
        delete.Parameters.AddWithValue(doomed.ToArray());
        return await delete.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// Whether a dead letter (Wolverine's serialised envelope: binary headers, then the message) holds an event of
    /// the tenant with the person in its data. The message is JSON: a raw CloudEvent or batch (RabbitMQ), or an
    /// <c>AuditEventMessage</c> whose <c>body</c> is one (PostgreSQL queue). Dead letters are often invalid events
    /// (unknown types, unknown fields), so every string of the data is compared, not only classified fields.
    /// </summary>
    public static bool Mentions(byte[] envelope, string tenant, Func<string, bool> isThePerson)
    {
        for (var start = 0; start < envelope.Length; start++)
        {
            if (envelope[start] is not ((byte)'{' or (byte)'['))
            {
                continue;
            }

            var reader = new Utf8JsonReader(envelope.AsSpan(start));
            if (!TryParse(ref reader, out var message))
            {
                continue;
            }

            using (message)
            {
                var root = message!.RootElement;
                if (root.ValueKind == JsonValueKind.Object && TryGet(root, "body") is { ValueKind: JsonValueKind.String } inner)
                {
                    try
                    {
                        using var events = JsonDocument.Parse(inner.GetString()!);
                        return Events(events.RootElement).Any(e => Holds(e, tenant, isThePerson));
                    }
                    catch (JsonException)
                    {
                        return false;
                    }
                }

                return Events(root).Any(e => Holds(e, tenant, isThePerson));
            }
        }

        return false;
    }

    private static bool TryParse(ref Utf8JsonReader reader, out JsonDocument? document)
    {
        try
        {
            return JsonDocument.TryParseValue(ref reader, out document);
        }
        catch (JsonException)
        {
            document = null;
            return false;
        }
    }

    private static JsonElement? TryGet(JsonElement o, string name) =>
        o.EnumerateObject().Where(p => p.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(p => (JsonElement?)p.Value).FirstOrDefault();

    private static IEnumerable<JsonElement> Events(JsonElement root) =>
        root.ValueKind == JsonValueKind.Array ? root.EnumerateArray() : [root];

    private static bool Holds(JsonElement e, string tenant, Func<string, bool> isThePerson) =>
        e.ValueKind == JsonValueKind.Object
        && e.TryGetProperty("tenant", out var t) && t.ValueKind == JsonValueKind.String && t.GetString() == tenant
        && e.TryGetProperty("data", out var data) && Strings(data).Any(isThePerson);

    private static IEnumerable<string> Strings(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => [element.GetString()!],
        JsonValueKind.Array => element.EnumerateArray().SelectMany(Strings),
        JsonValueKind.Object => element.EnumerateObject().SelectMany(p => Strings(p.Value)),
        _ => [],
    };
}
