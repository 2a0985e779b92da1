using System.Text.Json;
using Marten;
using Marten.Exceptions;
using Ngrtc.Audit.Domain;
using Ngrtc.Audit.Service.Protection;
using Npgsql;

namespace Ngrtc.Audit.Service.Ingestion;

public enum AppendStatus
{
    Stored,
    Duplicate,
}

public sealed record AppendOutcome(IncomingEvent Event, AppendStatus Status);

/// <summary>
/// Appends accepted events to the event store, many per transaction. Each event is its own stream keyed
/// by (<c>source</c>, <c>id</c>) within its tenant, so the store's primary key makes ingestion idempotent:
/// known keys are filtered out first, and a concurrent writer that wins a race surfaces as a stream-id
/// collision, after which the batch is filtered again and retried.
/// </summary>
public sealed class AuditAppender(IDocumentStore store, Pseudonymizer pseudonymizer, ILogger<AuditAppender> logger)
{
    private const int MaxAttempts = 3;

    public async Task<IReadOnlyList<AppendOutcome>> AppendAsync(IReadOnlyList<IncomingEvent> events, CancellationToken ct)
    {
        var outcomes = new List<AppendOutcome>(events.Count);
        foreach (var tenantEvents in events.GroupBy(e => e.Envelope.Tenant))
        {
            outcomes.AddRange(await AppendTenantAsync(tenantEvents.Key, [.. tenantEvents], ct));
        }

        return outcomes;
    }

    private async Task<IReadOnlyList<AppendOutcome>> AppendTenantAsync(string tenant, IReadOnlyList<IncomingEvent> events, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var session = store.LightweightSession(tenant);
            var keys = events.Select(e => e.Envelope.StreamKey).Distinct().ToArray();
            var existing = (await session.AdvancedSql.QueryAsync<string>(
                    $"select id from {store.Options.Events.DatabaseSchemaName}.mt_streams where tenant_id = ? and id = any(?)",
                    ct,
                    tenant,
                    keys))
                .ToHashSet(StringComparer.Ordinal);

            var outcomes = new List<AppendOutcome>(events.Count);
            foreach (var e in events)
            {
                var isNew = existing.Add(e.Envelope.StreamKey);
                outcomes.Add(new AppendOutcome(e, isNew ? AppendStatus.Stored : AppendStatus.Duplicate));
                if (isNew)
                {
                    session.Events.StartStream(e.Envelope.StreamKey, Record(e));
                }
            }

            try
            {
                await session.SaveChangesAsync(ct);
                return outcomes;
            }
            catch (Exception e) when (attempt < MaxAttempts && IsStreamKeyCollision(e))
            {
                logger.LogInformation("A concurrent writer stored one of {Count} events first; filtering again (attempt {Attempt})", events.Count, attempt);
            }
        }
    }

    // Marten reports a taken stream key as ExistingStreamIdCollisionException, or, when several new
    // streams share one batch, as the PostgreSQL unique violation on mt_streams inside its own exception.
    private static bool IsStreamKeyCollision(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is ExistingStreamIdCollisionException
                || e is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: { } name } && name.Contains("mt_streams", StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private AuditEventRecorded Record(IncomingEvent e)
    {
        // Keyed by JSON field name; an item of a list field by "name[index]".
        var pseudonyms = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var field in e.Descriptor.PersonalFields)
        {
            if (!e.Data.TryGetProperty(field.JsonName, out var value))
            {
                continue;
            }

            if (value.ValueKind == JsonValueKind.String)
            {
                pseudonyms[field.JsonName] = pseudonymizer.Pseudonymize(e.Envelope.Tenant, value.GetString()!);
            }
            else if (value.ValueKind == JsonValueKind.Array)
            {
                var index = 0;
                foreach (var item in value.EnumerateArray())
                {
                    pseudonyms[$"{field.JsonName}[{index++}]"] = pseudonymizer.Pseudonymize(e.Envelope.Tenant, item.GetString()!);
                }
            }
        }

        return new AuditEventRecorded(e.Envelope, e.Data, pseudonyms, e.Descriptor.RetentionFor(e.Data));
    }
}
