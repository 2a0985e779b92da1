using Marten;
using Microsoft.Extensions.Options;
using Ngrtc.Audit.Contracts.Catalogue;
using Ngrtc.Audit.Domain;
using Ngrtc.Audit.Service.Hosting;
using Ngrtc.Audit.Service.Protection;
using Npgsql;
using NpgsqlTypes;

namespace Ngrtc.Audit.Service.Retention;

public sealed class RetentionOptions
{
    public const string Section = "Ngrtc:Retention";

    /// <summary>The retention class the rule applies to.</summary>
    public RetentionClass Class { get; set; } = RetentionClass.T0;

    /// <summary>Events of that class whose <c>time</c> is older than this many days have their personal fields blanked.</summary>
    public int AfterDays { get; set; } = 7;

    /// <summary>Cron expression (UTC) of the recurring sweep.</summary>
    public string Schedule { get; set; } = "15 3 * * *";
}

/// <summary>Blank the personal fields of every event the retention rule has expired, as of <paramref name="AsOf"/>, except those an active legal hold covers.</summary>
public sealed record RunRetentionSweep(DateTimeOffset AsOf);

public sealed record RetentionSweepResult(int EventsRedacted, int FieldsBlanked);

public static class RunRetentionSweepHandler
{
    private const int PageSize = 500;

    public static async Task<RetentionSweepResult> Handle(
        RunRetentionSweep command,
        IDocumentStore store,
        NpgsqlDataSource database,
        IOptions<RetentionOptions> options,
        ILogger<RunRetentionSweep> logger,
        CancellationToken ct)
    {
        var rule = options.Value;
        var cutoff = command.AsOf.AddDays(-rule.AfterDays);
        var serializer = store.Options.Serializer();
        var schema = store.Options.Events.DatabaseSchemaName;
        var perTenant = new Dictionary<string, (int Events, int Fields)>(StringComparer.Ordinal);

        await using var connection = await database.OpenConnectionAsync(ct);
        while (true)
        {
            await using var tx = await connection.BeginTransactionAsync(ct);
            var page = new List<(long Seq, string Tenant, AuditEventRecorded Event)>();
            await using (var select = new NpgsqlCommand(
                $"""
                select seq_id, tenant_id, data from {schema}.mt_events e
                where type = 'audit_event_recorded' and data->>'retention' = @class and data->>'redactedAt' is null
                  and (data->'envelope'->>'time')::timestamptz < @cutoff
                  and not {LegalHolds.LegalHoldCoverage.Covers("e")}
                order by seq_id limit {PageSize} for update of e
                """,
                connection,
                tx))
            {
                select.Parameters.AddWithValue("class", rule.Class.ToString());
                select.Parameters.AddWithValue("cutoff", cutoff.UtcDateTime);
                await using var reader = await select.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct))
                {
                    page.Add((reader.GetInt64(0), reader.GetString(1), serializer.FromJson<AuditEventRecorded>(reader, 2)));
                }
            }

            if (page.Count == 0)
            {
                break;
            }

            await using var batch = new NpgsqlBatch(connection, tx);
            foreach (var (seq, tenant, recorded) in page)
            {
                var (redacted, blanked) = RetentionRedaction.Blank(recorded, command.AsOf);
                var update = new NpgsqlBatchCommand($"update {schema}.mt_events set data = @data where seq_id = @seq");
                update.Parameters.AddWithValue("data", NpgsqlDbType.Jsonb, serializer.ToJson(redacted));
                update.Parameters.AddWithValue("seq", seq);
                batch.BatchCommands.Add(update);
                var sum = perTenant.GetValueOrDefault(tenant);
                perTenant[tenant] = (sum.Events + 1, sum.Fields + blanked);
            }

            await batch.ExecuteNonQueryAsync(ct);
            await tx.CommitAsync(ct);
        }

        foreach (var (tenant, (events, fields)) in perTenant)
        {
            await store.AppendReceiptAsync(
                tenant, ReceiptStreams.Retention, new RetentionRedactionExecuted(rule.Class, rule.AfterDays, cutoff, events, fields, command.AsOf), ct);
        }

        var result = new RetentionSweepResult(perTenant.Values.Sum(v => v.Events), perTenant.Values.Sum(v => v.Fields));
        logger.LogInformation(
            "Retention sweep for class {Class} older than {Days} days: {Events} events, {Fields} fields blanked",
            rule.Class,
            rule.AfterDays,
            result.EventsRedacted,
            result.FieldsBlanked);
        return result;
    }
}

/// <summary>The pure part of redaction: which values of a recorded event go.</summary>
public static class RetentionRedaction
{
    /// <summary>
    /// Anonymises the event: every personal-data value of its data (the pseudonym in the value's place) becomes
    /// null and every ciphertext is removed; the envelope, the other fields, the pseudonym index and the
    /// ciphertext digests (which the integrity log's leaves hold) stay.
    /// </summary>
    public static (AuditEventRecorded Redacted, int FieldsBlanked) Blank(AuditEventRecorded recorded, DateTimeOffset at)
    {
        var descriptor = AuditCatalogue.Get(recorded.Envelope.Type);
        var blanked = recorded.Protected.Count(p => p.Value.Ciphertext is not null);
        var data = EventProtection.ReplaceValues(descriptor, recorded.Data, _ => null);
        var sealedValues = recorded.Protected.ToDictionary(p => p.Key, p => p.Value with { Ciphertext = null }, StringComparer.Ordinal);
        return (recorded with { Data = data, Protected = sealedValues, RedactedAt = at }, blanked);
    }
}
