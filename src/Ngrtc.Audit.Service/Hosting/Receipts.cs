using Marten;
using Ngrtc.Audit.Domain;
using Npgsql;
using NpgsqlTypes;

namespace Ngrtc.Audit.Service.Hosting;

public static class Receipts
{
    private static readonly string AccessDotnetType = $"{typeof(AccessRecorded).FullName}, {typeof(AccessRecorded).Assembly.GetName().Name}";

    /// <summary>Marten's name for <see cref="AccessRecorded"/> events (its default snake-case naming of the type).</summary>
    private const string AccessEventType = "access_recorded";

    /// <summary>Appends one receipt (a PII-free fact of the service's own doing) to a tenant's receipt stream.</summary>
    public static async Task AppendReceiptAsync(this IDocumentStore store, string tenant, string stream, object receipt, CancellationToken ct)
    {
        await using var session = store.LightweightSession(tenant);
        session.Events.Append(stream, receipt);
        await session.SaveChangesAsync(ct);
    }

    /// <summary>
    /// Appends a read to the tenant's access log (<see cref="AccessLogStreams.Reads"/>) as Marten would store it — the
    /// stream's version raised, the event at the next version and sequence number — in one statement, committed when
    /// it returns: one round trip on every recorded read, where a session takes two and its own work. No projection
    /// reads the access log (Marten's inline projections would not see this event).
    /// </summary>
    public static async Task AppendAccessAsync(NpgsqlDataSource database, ISerializer serializer, string tenant, AccessRecorded access, CancellationToken ct)
    {
        await using var command = database.CreateCommand(
            $"""
            with stream as (
                insert into {AuditStore.Schema}.mt_streams (tenant_id, id, version, timestamp, created) values ($1, $2, 1, now(), now())
                on conflict (tenant_id, id) do update set version = mt_streams.version + 1, timestamp = now()
                returning version)
            insert into {AuditStore.Schema}.mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, is_archived)
            select nextval('{AuditStore.Schema}.mt_events_sequence'), $3, $2, version, $4, $5, now(), $1, $6, false from stream
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = tenant, NpgsqlDbType = NpgsqlDbType.Varchar });
        command.Parameters.Add(new NpgsqlParameter { Value = AccessLogStreams.Reads, NpgsqlDbType = NpgsqlDbType.Varchar });
        command.Parameters.Add(new NpgsqlParameter { Value = Guid.CreateVersion7(), NpgsqlDbType = NpgsqlDbType.Uuid });
        command.Parameters.Add(new NpgsqlParameter { Value = serializer.ToJson(access), NpgsqlDbType = NpgsqlDbType.Jsonb });
        command.Parameters.Add(new NpgsqlParameter { Value = AccessEventType, NpgsqlDbType = NpgsqlDbType.Varchar });
        command.Parameters.Add(new NpgsqlParameter { Value = AccessDotnetType, NpgsqlDbType = NpgsqlDbType.Varchar });
        await command.ExecuteNonQueryAsync(ct);
    }
}
