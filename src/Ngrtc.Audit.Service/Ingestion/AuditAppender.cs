using Marten;
using Ngrtc.Audit.Domain;
using Ngrtc.Audit.Integrity;
using Ngrtc.Audit.Protection;
using Ngrtc.Audit.Service.Hosting;
using Ngrtc.Audit.Service.Integrity;
using Ngrtc.Audit.Service.Protection;
using Npgsql;
using NpgsqlTypes;
using Weasel.Postgresql.Tables;

namespace Ngrtc.Audit.Service.Ingestion;

public enum AppendStatus
{
    Stored,
    Duplicate,
}

public sealed record AppendOutcome(IncomingEvent Event, AppendStatus Status);

/// <summary>
/// Appends accepted events to the event store, many per transaction, each tenant's events to that
/// tenant's one log stream (<see cref="TenantLog"/>): its stream version is the event's position in
/// the tenant's log, in commit order. Idempotency on (<c>source</c>, <c>id</c>) is a key table claimed
/// in the same transaction, just before the lock: a key someone already holds — earlier, or in a concurrent
/// transaction that commits first — makes that event a duplicate.
/// </summary>
public sealed class AuditAppender(
    IDocumentStore store,
    NpgsqlDataSource database,
    FieldProtector protector,
    Microsoft.Extensions.Options.IOptions<ProtectionSettings> protection,
    Policy.PolicyRegistry policy,
    Consent.ConsentChecks consent)
{
    // The store is the one AddAuditStore configures, with this serializer: what the appender writes for a leaf is
    // what Marten stores.
    private readonly StoredJsonSerializer serializer = (StoredJsonSerializer)store.Options.Serializer();

    /// <summary>The stream key of a tenant's audit log (streams are per tenant: conjoined tenancy).</summary>
    public const string TenantLog = "audit-log";

    public const string KeysTable = AuditStore.Schema + ".ingest_keys";

    /// <summary>The idempotency keys, created and migrated with Marten's own schema.</summary>
    public static Table KeysTableDefinition()
    {
        var table = new Table(KeysTable);
        table.AddColumn<string>("tenant_id").AsPrimaryKey();
        table.AddColumn<string>("source").AsPrimaryKey();
        table.AddColumn<string>("id").AsPrimaryKey();
        return table;
    }

    /// <summary>Stores what is new of <paramref name="events"/>; the outcomes are in the order of the events.</summary>
    public async Task<IReadOnlyList<AppendOutcome>> AppendAsync(IReadOnlyList<IncomingEvent> events, CancellationToken ct)
    {
        // Protected before the tenant logs are locked: new subjects' keys are created in their own round trip.
        // Every record carries the policy version in force: the one that classified it.
        var policyVersion = policy.Current.Version;
        var records = protection.Value.DisabledForBenchmark
            ? EventProtection.Unprotected(events, policyVersion)
            : await EventProtection.RecordAsync(events, protector, ct, policyVersion);

        // The leaves of what will be stored, hashed from the JSON the store writes, also before the lock; written in
        // the same transaction as the events, so the sealer folds them into the tree without reading the events back
        // (they stay hashes of the stored events: `verify` recomputes every leaf from the store).
        // Those bytes are also what Marten stores, without serialising the records again.
        var (leaves, eventIds) = Leaves.HashMany([.. records.Select(r => serializer.Write(r))]);
        try
        {
            return await StoreAsync(events, records, leaves, eventIds, ct);
        }
        finally
        {
            foreach (var record in records)
            {
                serializer.Forget(record);
            }
        }
    }

    private async Task<IReadOnlyList<AppendOutcome>> StoreAsync(
        IReadOnlyList<IncomingEvent> events, IReadOnlyList<AuditEventRecorded> records, byte[] leaves, string?[] eventIds, CancellationToken ct)
    {
        await using var connection = await database.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        // The keys are claimed before the logs are locked, so that claiming (~15% of the time the lock used to be
        // held) overlaps the transaction that holds it. No lock holder waits for a claim, and every claim takes its
        // keys in one order, so claims and locks never wait on each other in a circle.
        var claimed = await ClaimKeys(connection, tx, events, ct);
        var tenants = events.Select(e => e.Envelope.Tenant).Distinct().ToArray();
        await LockTenantLogs(connection, tx, tenants, ct);
        var logSizes = await LogSizes(connection, tx, tenants, ct);

        var outcomes = new List<AppendOutcome>(events.Count);
        var fresh = new List<int>(events.Count);
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            // The first of several copies in one batch takes the key; the rest are duplicates.
            var isNew = claimed.Remove((e.Envelope.Tenant, e.Envelope.Source, e.Envelope.Id));
            outcomes.Add(new AppendOutcome(e, isNew ? AppendStatus.Stored : AppendStatus.Duplicate));
            if (isNew)
            {
                fresh.Add(i);
            }
        }

        foreach (var tenant in fresh.GroupBy(i => records[i].Envelope.Tenant))
        {
            var options = Marten.Services.SessionOptions.ForTransaction(tx);
            options.TenantId = tenant.Key;
            await using var session = store.LightweightSession(options);
            session.Events.Append(TenantLog, tenant.Select(i => (object)records[i]).ToArray());
            await consent.CheckAsync(session, tenant.Key, [.. tenant.Select(i => events[i])], [.. tenant.Select(i => records[i])], ct);
            await session.SaveChangesAsync(ct);

            var tenantLeaves = new byte[tenant.Count() * MerkleHash.Size];
            var position = 0;
            foreach (var i in tenant)
            {
                leaves.AsSpan(i * MerkleHash.Size, MerkleHash.Size).CopyTo(tenantLeaves.AsSpan(position));
                position += MerkleHash.Size;
            }

            await IntegrityTables.WriteLeavesAsync(connection, tenant.Key, logSizes.GetValueOrDefault(tenant.Key), [.. tenant.Select(i => eventIds[i])], tenantLeaves, ct);
        }

        await tx.CommitAsync(ct);
        return outcomes;
    }

    /// <summary>
    /// One writer at a time per tenant log, on every node, until commit: log positions are then given in
    /// commit order, and concurrent appends wait instead of failing on the stream version. Locks are
    /// taken in one order, so two transactions never wait on each other.
    /// </summary>
    private static async Task LockTenantLogs(NpgsqlConnection connection, NpgsqlTransaction tx, string[] tenants, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            "select pg_advisory_xact_lock(hashtextextended('ngrtc-audit-log ' || t, 0)) from unnest(@tenants) as t order by t",
            connection,
            tx);
        command.Parameters.AddWithValue("tenants", NpgsqlDbType.Array | NpgsqlDbType.Text, tenants);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Each tenant's log size, read under its log lock: the first leaf index of what this transaction appends.</summary>
    private static async Task<Dictionary<string, long>> LogSizes(NpgsqlConnection connection, NpgsqlTransaction tx, string[] tenants, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            $"select tenant_id, version from {AuditStore.Schema}.mt_streams where id = '{TenantLog}' and tenant_id = any(@tenants)",
            connection,
            tx);
        command.Parameters.AddWithValue("tenants", NpgsqlDbType.Array | NpgsqlDbType.Text, tenants);
        var sizes = new Dictionary<string, long>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            sizes[reader.GetString(0)] = reader.GetInt64(1);
        }

        return sizes;
    }

    private static async Task<HashSet<(string, string, string)>> ClaimKeys(
        NpgsqlConnection connection, NpgsqlTransaction tx, IReadOnlyList<IncomingEvent> events, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            $"""
            insert into {KeysTable} (tenant_id, source, id)
            select * from unnest(@tenants, @sources, @ids) as k(tenant_id, source, id) order by 1, 2, 3
            on conflict do nothing
            returning tenant_id, source, id
            """,
            connection,
            tx);
        command.Parameters.AddWithValue("tenants", NpgsqlDbType.Array | NpgsqlDbType.Text, events.Select(e => e.Envelope.Tenant).ToArray());
        command.Parameters.AddWithValue("sources", NpgsqlDbType.Array | NpgsqlDbType.Text, events.Select(e => e.Envelope.Source).ToArray());
        command.Parameters.AddWithValue("ids", NpgsqlDbType.Array | NpgsqlDbType.Text, events.Select(e => e.Envelope.Id).ToArray());
        var claimed = new HashSet<(string, string, string)>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            claimed.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2)));
        }

        return claimed;
    }
}
