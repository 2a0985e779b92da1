using System.Text.Json;
using Marten;
using Ngrtc.Audit.Domain;
using Ngrtc.Audit.Protection;
using Ngrtc.Audit.Service.Hosting;
using Ngrtc.Audit.Service.Ingestion;
using Ngrtc.Audit.Service.Protection;
using Npgsql;

namespace Ngrtc.Audit.Service.DataSubjects;

/// <summary>
/// A privileged read of one person's values in the tenant's events, for a data-subject access request or a
/// re-identification, under a case id and a stated purpose (both go on the record).
/// </summary>
public sealed record RevealSubject(string Tenant, IdentifierKind Kind, string Identifier, string CaseId, string Purpose, DateTimeOffset At)
{
    public override string ToString() => $"RevealSubject {{ Tenant = {Tenant}, Kind = {Kind}, CaseId = {CaseId}, Purpose = {Purpose} }}";
}

/// <summary>One value of the person: where it is and what it says, or that it was erased.</summary>
public sealed record RevealedValue(string EventId, string Source, string Type, DateTimeOffset Time, string Path, string? Value, bool Erased)
{
    public override string ToString() => $"RevealedValue {{ EventId = {EventId}, Type = {Type}, Path = {Path}, Erased = {Erased} }}";
}

/// <summary>
/// The one place that decrypts. It finds the person's events by their pseudonym in every live epoch (the
/// pseudonym is computed from the identifier, never stored with it), decrypts only the values at the person's
/// own paths — the other party of a call stays sealed — and appends a receipt saying how much was read.
/// A destroyed key reads as <see cref="RevealedValue.Erased"/>, never as an error.
/// </summary>
public static class RevealSubjectHandler
{
    public static async Task<IReadOnlyList<RevealedValue>> Handle(RevealSubject command, FieldProtector protector, NpgsqlDataSource database, IDocumentStore store, CancellationToken ct)
    {
        var pseudonyms = new List<string>();
        foreach (var epoch in await LiveEpochsAsync(database, command.Tenant, ct))
        {
            pseudonyms.Add(await protector.PseudonymAsync(command.Tenant, epoch, command.Kind, command.Identifier, ct));
        }

        var serializer = store.Options.Serializer();
        var found = new List<(AuditEventRecorded Event, string Path, string Ciphertext)>();
        var erasedByRetention = new List<(AuditEventRecorded Event, string Path)>();
        await using (var select = database.CreateCommand(
            $"""
            select data from {AuditStore.Schema}.mt_events
            where tenant_id = $1 and stream_id = '{AuditAppender.TenantLog}'
              and exists (select 1 from jsonb_each_text(data->'pseudonyms') p where p.value = any($2))
            order by version
            """))
        {
            select.Parameters.AddWithValue(command.Tenant);
            select.Parameters.AddWithValue(pseudonyms.ToArray());
            await using var reader = await select.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var recorded = serializer.FromJson<AuditEventRecorded>(reader, 0);
                foreach (var (path, pseudonym) in recorded.Pseudonyms)
                {
                    if (!pseudonyms.Contains(pseudonym))
                    {
                        continue;
                    }

                    if (recorded.Protected.GetValueOrDefault(path)?.Ciphertext is { } ciphertext)
                    {
                        found.Add((recorded, path, ciphertext));
                    }
                    else
                    {
                        erasedByRetention.Add((recorded, path));
                    }
                }
            }
        }

        var plain = await protector.RevealAsync(
            [.. found.Select(f => new RevealRequest(command.Tenant, EventProtection.AssociatedEventId(f.Event.Envelope), f.Path, f.Ciphertext))], ct);
        var values = new List<RevealedValue>(found.Count + erasedByRetention.Count);
        for (var i = 0; i < found.Count; i++)
        {
            var value = plain[i] is RevealResult.Plain p ? p.Value : null;
            values.Add(Describe(found[i].Event, found[i].Path, value));
        }

        values.AddRange(erasedByRetention.Select(e => Describe(e.Event, e.Path, null)));

        await store.AppendReceiptAsync(
            command.Tenant,
            SubjectReceiptStreams.Reveals,
            new SubjectDataRevealed(command.CaseId, command.Purpose, values.Select(v => v.EventId).Distinct().Count(), values.Count, values.Count(v => v.Erased), command.At),
            ct);
        return values;
    }

    private static RevealedValue Describe(AuditEventRecorded e, string path, string? value) =>
        new(e.Envelope.Id, e.Envelope.Source, e.Envelope.Type, e.Envelope.Time, path, value, value is null);

    private static async Task<List<Epoch>> LiveEpochsAsync(NpgsqlDataSource database, string tenant, CancellationToken ct)
    {
        await using var command = database.CreateCommand(
            $"select epoch from {AuditStore.Schema}.pseudonym_peppers where tenant_id = $1 and destroyed_at is null order by epoch");
        command.Parameters.AddWithValue(tenant);
        var epochs = new List<Epoch>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            epochs.Add(new Epoch(reader.GetString(0)));
        }

        return epochs;
    }
}
