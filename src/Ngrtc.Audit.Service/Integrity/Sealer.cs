using Microsoft.Extensions.Options;
using Ngrtc.Audit.Service.Hosting;
using Ngrtc.Audit.Service.Ingestion;
using Npgsql;

namespace Ngrtc.Audit.Service.Integrity;

public sealed class SealerOptions
{
    public const string Section = "Ngrtc:Integrity";

    /// <summary>How often the sealer looks for new events.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>A tree head is signed once this many events were sealed since the last one…</summary>
    public long HeadEveryEvents { get; set; } = 10_000;

    /// <summary>…or this long after the last one, even if nothing new arrived.</summary>
    public TimeSpan HeadEvery { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Events read and hashed per transaction.</summary>
    public int BatchSize { get; set; } = 5_000;

    /// <summary>Whether this node runs the sealer.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Cron expression (UTC) of the daily full verification.</summary>
    public string VerifySchedule { get; set; } = "45 2 * * *";
}

/// <summary>
/// Seals each tenant's log into its Merkle tree, in log order (the tenant log's stream version − 1 is the leaf
/// index), and signs tree heads. One transaction per step holds the tenant's sealing lock, reads the stored tree
/// size, takes the next leaves (the hashes the appender wrote with the events; events that came without one are
/// read back and hashed here), writes the tiles that changed and the new size, and signs a head when one is
/// due: a crash loses nothing, a restart (or another node) continues from the stored size.
/// </summary>
public sealed class Sealer(NpgsqlDataSource database, TreeHeadSigning signing, IOptions<SealerOptions> options, TimeProvider clock, ILogger<Sealer> logger)
    : BackgroundService
{
    private readonly SealerOptions _options = options.Value;

    /// <summary>Tenants whose log the sealer cannot go on with, and why (logged once, not at every poll).</summary>
    private readonly Dictionary<string, string> _stuck = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                foreach (var tenant in await TenantsAsync(stoppingToken))
                {
                    await SealTenantAsync(tenant, stoppingToken);
                }
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException)
            {
                logger.LogWarning("Sealing paused after a database error ({Error}); retrying", e.GetType().Name);
            }

            await Task.Delay(_options.PollInterval, clock, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    /// <summary>
    /// Seals what a tenant's log has. Damage in one log (a gap in it, a tile that does not fit) stops that log
    /// only: the others go on, the service stays up, and `verify` names the damage.
    /// </summary>
    private async Task SealTenantAsync(string tenant, CancellationToken ct)
    {
        try
        {
            while (await SealAsync(tenant, ct) == _options.BatchSize)
            {
            }

            if (_stuck.Remove(tenant))
            {
                logger.LogInformation("Sealing of tenant {Tenant} goes on again", tenant);
            }
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException)
        {
            // Damage in the stored data: our own data-integrity messages name positions and sizes only; the
            // canonicalizer's (a stored event with no canonical form) by type alone, as they could quote stored data.
            // Anything else (a broken signing key, a bug) still stops the service loudly.
            var reason = e is InvalidDataException ? e.Message : e.GetType().Name;
            if (!_stuck.TryGetValue(tenant, out var known) || known != reason)
            {
                _stuck[tenant] = reason;
                logger.LogError("Sealing of tenant {Tenant} stopped: {Reason}. Run `ngrtc-audit verify --db`; other tenants go on", tenant, reason);
            }
        }
    }

    private async Task<List<string>> TenantsAsync(CancellationToken ct)
    {
        await using var command = database.CreateCommand(
            $"select tenant_id from {AuditStore.Schema}.mt_streams where id = '{AuditAppender.TenantLog}' order by tenant_id");
        var tenants = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            tenants.Add(reader.GetString(0));
        }

        return tenants;
    }

    /// <summary>Seals up to one batch of the tenant's new events; returns how many.</summary>
    public async Task<int> SealAsync(string tenant, CancellationToken ct)
    {
        await using var connection = await database.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        if (!await SealLockAsync(connection, tx, tenant, wait: false, ct))
        {
            // Another node seals this log, or a tile repair runs: the other tenants go on, this one next time.
            return 0;
        }

        var size = await StoredSizeAsync(connection, tx, tenant, ct);
        var edge = await LoadEdgeAsync(connection, tx, tenant, size, ct);

        // Events the appender stored came with their leaf hashes: folded in without reading the events back.
        var (leaves, sealedNow, nextRow) = await IntegrityTables.ReadLeafHashesAsync(connection, tx, tenant, size, _options.BatchSize, ct);
        if (sealedNow == 0)
        {
            // Events without a leaf row (stored before leaves were written with them, or by other means): read
            // back up to the next row, hashed here, and their rows written.
            (leaves, sealedNow) = await HashStoredAsync(connection, tx, tenant, size, (int)Math.Min(_options.BatchSize, (nextRow ?? long.MaxValue) - size), ct);
        }

        for (var i = 0; i < sealedNow; i++)
        {
            edge.Append(leaves.AsSpan(i * Ngrtc.Audit.Integrity.MerkleHash.Size, Ngrtc.Audit.Integrity.MerkleHash.Size));
        }

        var now = clock.GetUtcNow();
        if (sealedNow > 0)
        {
            await IntegrityTables.WriteTilesAsync(connection, tx, tenant, edge.TakeChanges(), ct);
            await using var update = new NpgsqlCommand(
                $"""
                insert into {IntegrityTables.Trees} (tenant_id, size, sealed_at) values (@tenant, @size, @now)
                on conflict (tenant_id) do update set size = excluded.size, sealed_at = excluded.sealed_at
                """,
                connection,
                tx);
            update.Parameters.AddWithValue("tenant", tenant);
            update.Parameters.AddWithValue("size", edge.Size);
            update.Parameters.AddWithValue("now", now);
            await update.ExecuteNonQueryAsync(ct);
        }

        await signing.SignIfDueAsync(connection, tx, tenant, edge, now, _options, ct);
        await tx.CommitAsync(ct);
        return sealedNow;
    }

    /// <summary>Reads up to <paramref name="limit"/> stored events from leaf <paramref name="size"/> on, hashes them and writes their leaf rows.</summary>
    private static async Task<(byte[] Leaves, int Count)> HashStoredAsync(
        NpgsqlConnection connection, NpgsqlTransaction tx, string tenant, long size, int limit, CancellationToken ct)
    {
        var rows = new List<byte[]>(limit);
        await using (var select = new NpgsqlCommand(
            $"""
            select version, data from {AuditStore.Schema}.mt_events
            where tenant_id = @tenant and stream_id = '{AuditAppender.TenantLog}' and version > @size
            order by version limit @limit
            """,
            connection,
            tx))
        {
            select.Parameters.AddWithValue("tenant", tenant);
            select.Parameters.AddWithValue("size", size);
            select.Parameters.AddWithValue("limit", limit);
            await using var reader = await select.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var version = reader.GetInt64(0);
                if (version != size + rows.Count + 1)
                {
                    // Versions are gapless under the tenant's log lock; a gap is damage for `verify` to name.
                    throw new InvalidDataException($"The log of a tenant jumps from position {size + rows.Count} to {version - 1}; sealing stops there.");
                }

                // The JSON's UTF-8 bytes as they come: no string per event.
                rows.Add(reader.GetFieldValue<byte[]>(1));
            }
        }

        var (leaves, eventIds) = Leaves.HashMany(rows);
        if (rows.Count > 0)
        {
            await IntegrityTables.WriteLeavesAsync(connection, tenant, size, eventIds, leaves, ct);
        }

        return (leaves, rows.Count);
    }

    /// <summary>
    /// Takes the tenant's seal lock for the transaction: waiting for it, or (<paramref name="wait"/> false) only if
    /// it is free; returns whether it was taken.
    /// </summary>
    public static async Task<bool> SealLockAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string tenant, bool wait, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            $"select pg_{(wait ? "" : "try_")}advisory_xact_lock(hashtextextended('ngrtc-seal ' || @tenant, 0))", connection, tx);
        command.Parameters.AddWithValue("tenant", tenant);
        if (wait)
        {
            await command.ExecuteNonQueryAsync(ct);
            return true;
        }

        return (bool)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>The tenant's sealed tree size (0 before its first seal).</summary>
    public static async Task<long> StoredSizeAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, string tenant, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"select size from {IntegrityTables.Trees} where tenant_id = @tenant", connection, tx);
        command.Parameters.AddWithValue("tenant", tenant);
        return await command.ExecuteScalarAsync(ct) is long size ? size : 0;
    }

    /// <summary>The last tile of every level at <paramref name="size"/>: all the sealer needs to go on.</summary>
    public static async Task<TileEdge> LoadEdgeAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, string tenant, long size, CancellationToken ct)
    {
        var levels = Enumerable.Range(0, 8).TakeWhile(level => level == 0 || TileEdge.EntriesAt(size, level) > 0).ToList();
        var wanted = levels
            .Where(level => TileEdge.EntriesAt(size, level) % MerkleTiles.Width != 0)
            .Select(level => (level, TileEdge.PartialIndex(size, level)))
            .ToList();
        var tiles = await IntegrityTables.ReadTilesAsync(connection, tx, tenant, wanted, ct);
        var partial = levels.Select(level => tiles.GetValueOrDefault((level, TileEdge.PartialIndex(size, level))) ?? []).ToList();
        return new TileEdge(size, partial);
    }
}
