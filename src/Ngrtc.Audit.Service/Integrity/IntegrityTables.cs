using Ngrtc.Audit.Service.Hosting;
using Npgsql;
using NpgsqlTypes;
using Weasel.Postgresql.Tables;

namespace Ngrtc.Audit.Service.Integrity;

/// <summary>
/// The integrity log's tables, created and migrated with Marten's schema: each tenant's tree size, its tiles
/// (<see cref="MerkleTiles"/>) and its signed tree heads. Rows are only ever added, or (the last tile of a level)
/// grown; nothing here holds personal data.
/// </summary>
public static class IntegrityTables
{
    public const string Trees = AuditStore.Schema + ".merkle_trees";
    public const string Tiles = AuditStore.Schema + ".merkle_tiles";
    public const string Heads = AuditStore.Schema + ".tree_heads";
    public const string LeafIds = AuditStore.Schema + ".merkle_leaf_ids";

    public static IEnumerable<Table> Definitions()
    {
        var trees = new Table(Trees);
        trees.AddColumn<string>("tenant_id").AsPrimaryKey();
        trees.AddColumn<long>("size").NotNull();
        trees.AddColumn<DateTimeOffset>("sealed_at").NotNull();
        yield return trees;

        var tiles = new Table(Tiles);
        tiles.AddColumn<string>("tenant_id").AsPrimaryKey();
        tiles.AddColumn<int>("level").AsPrimaryKey();
        tiles.AddColumn<long>("idx").AsPrimaryKey();
        tiles.AddColumn("hashes", "bytea").NotNull();
        yield return tiles;

        var heads = new Table(Heads);
        heads.AddColumn<string>("tenant_id").AsPrimaryKey();
        heads.AddColumn<long>("seq").AsPrimaryKey();
        heads.AddColumn<long>("tree_size").NotNull();
        heads.AddColumn("root", "bytea").NotNull();
        heads.AddColumn<DateTimeOffset>("issued_at").NotNull();
        heads.AddColumn<string>("key_id").NotNull();
        heads.AddColumn<string>("jws").NotNull();
        heads.Indexes.Add(new IndexDefinition("ix_tree_heads_size") { Columns = ["tenant_id", "tree_size"] });
        yield return heads;

        // Which leaf an event id is: the inclusion-proof lookup, written by the sealer with the leaves (an id may
        // recur across sources, so the leaf index is part of the key).
        var leafIds = new Table(LeafIds);
        leafIds.AddColumn<string>("tenant_id").AsPrimaryKey();
        leafIds.AddColumn<string>("event_id").AsPrimaryKey();
        leafIds.AddColumn<long>("leaf_index").AsPrimaryKey();
        yield return leafIds;
    }

    /// <summary>Reads tiles by (level, index); full tiles never change, so callers may cache them.</summary>
    public static async Task<Dictionary<(int Level, long Index), byte[]>> ReadTilesAsync(
        NpgsqlConnection connection, NpgsqlTransaction? tx, string tenant, IReadOnlyCollection<(int Level, long Index)> wanted, CancellationToken ct)
    {
        var found = new Dictionary<(int, long), byte[]>();
        if (wanted.Count == 0)
        {
            return found;
        }

        await using var command = new NpgsqlCommand(
            $"select t.level, t.idx, t.hashes from {Tiles} t join unnest(@levels, @indexes) as w(level, idx) on t.level = w.level and t.idx = w.idx where t.tenant_id = @tenant",
            connection,
            tx);
        command.Parameters.AddWithValue("tenant", tenant);
        command.Parameters.AddWithValue("levels", NpgsqlDbType.Array | NpgsqlDbType.Integer, wanted.Select(w => w.Level).ToArray());
        command.Parameters.AddWithValue("indexes", NpgsqlDbType.Array | NpgsqlDbType.Bigint, wanted.Select(w => w.Index).ToArray());
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            found[(reader.GetInt32(0), reader.GetInt64(1))] = reader.GetFieldValue<byte[]>(2);
        }

        return found;
    }

    public static async Task WriteTilesAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string tenant, IReadOnlyList<StoredTile> tiles, CancellationToken ct)
    {
        if (tiles.Count == 0)
        {
            return;
        }

        await using var command = new NpgsqlCommand(
            $"""
            insert into {Tiles} (tenant_id, level, idx, hashes)
            select @tenant, * from unnest(@levels, @indexes, @hashes)
            on conflict (tenant_id, level, idx) do update set hashes = excluded.hashes
            """,
            connection,
            tx);
        command.Parameters.AddWithValue("tenant", tenant);
        command.Parameters.AddWithValue("levels", NpgsqlDbType.Array | NpgsqlDbType.Integer, tiles.Select(t => t.Level).ToArray());
        command.Parameters.AddWithValue("indexes", NpgsqlDbType.Array | NpgsqlDbType.Bigint, tiles.Select(t => t.Index).ToArray());
        command.Parameters.AddWithValue("hashes", NpgsqlDbType.Array | NpgsqlDbType.Bytea, tiles.Select(t => t.Hashes).ToArray());
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The event ids of the leaves from <paramref name="firstLeaf"/> on (events without an id are left out).</summary>
    public static async Task WriteLeafIdsAsync(NpgsqlConnection connection, string tenant, long firstLeaf, IReadOnlyList<string?> eventIds, CancellationToken ct)
    {
        var ids = new List<string>(eventIds.Count);
        var indexes = new List<long>(eventIds.Count);
        for (var i = 0; i < eventIds.Count; i++)
        {
            if (eventIds[i] is { } id)
            {
                ids.Add(id);
                indexes.Add(firstLeaf + i);
            }
        }

        if (ids.Count == 0)
        {
            return;
        }

        // Binary COPY, in the connection's open transaction: the sealer writes one row per leaf, under the tenant's seal lock, so
        // no row of these leaves can exist yet (a failed step commits none of them).
        await using var importer = await connection.BeginBinaryImportAsync(
            $"copy {LeafIds} (tenant_id, event_id, leaf_index) from stdin (format binary)", ct);
        for (var i = 0; i < ids.Count; i++)
        {
            await importer.StartRowAsync(ct);
            await importer.WriteAsync(tenant, NpgsqlDbType.Text, ct);
            await importer.WriteAsync(ids[i], NpgsqlDbType.Text, ct);
            await importer.WriteAsync(indexes[i], NpgsqlDbType.Bigint, ct);
        }

        await importer.CompleteAsync(ct);
    }
}
