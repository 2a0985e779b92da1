using Ngrtc.Audit.Integrity;
using Ngrtc.Audit.Service.Hosting;
using Npgsql;
using NpgsqlTypes;
using Weasel.Postgresql.Tables;

namespace Ngrtc.Audit.Service.Integrity;

/// <summary>
/// The integrity log's tables, created and migrated with Marten's schema: each tenant's tree size, its leaves (event
/// id and hash), its tiles (<see cref="MerkleTiles"/>) and its signed tree heads. Rows are only ever added, or (the
/// last tile of a level) grown; nothing here holds personal data.
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

        // Every leaf: which event id it is (the inclusion-proof lookup; an id may recur across sources, so the leaf
        // index is part of the key) and its hash. The appender writes a row per event in the transaction that stores
        // it, hashed from the JSON it stores; the sealer folds the hashes into the tree without reading the events
        // back, and hashes (and writes rows for) only events that came without one.
        var leafIds = new Table(LeafIds);
        leafIds.AddColumn<string>("tenant_id").AsPrimaryKey();
        leafIds.AddColumn<string>("event_id").AsPrimaryKey();
        leafIds.AddColumn<long>("leaf_index").AsPrimaryKey();
        leafIds.AddColumn("leaf_hash", "bytea");
        leafIds.Indexes.Add(new IndexDefinition("ix_merkle_leaf_ids_leaf") { Columns = ["tenant_id", "leaf_index"], IsUnique = true });
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

    /// <summary>
    /// Writes leaves from <paramref name="firstLeaf"/> on: each one's event id and hash (32 bytes each, in order, in
    /// <paramref name="hashes"/>); leaves without an event id are left out. Binary COPY in the connection's open
    /// transaction, under the tenant's log lock (the appender) or seal lock (the sealer, for leaves that have no row):
    /// no row of these leaves can exist yet.
    /// </summary>
    public static async Task WriteLeavesAsync(NpgsqlConnection connection, string tenant, long firstLeaf, IReadOnlyList<string?> eventIds, ReadOnlyMemory<byte> hashes, CancellationToken ct)
    {
        if (hashes.Length != eventIds.Count * MerkleHash.Size)
        {
            throw new ArgumentException("One 32-byte hash per event id is required.", nameof(hashes));
        }

        if (eventIds.All(id => id is null))
        {
            return;
        }

        await using var importer = await connection.BeginBinaryImportAsync(
            $"copy {LeafIds} (tenant_id, event_id, leaf_index, leaf_hash) from stdin (format binary)", ct);
        for (var i = 0; i < eventIds.Count; i++)
        {
            if (eventIds[i] is not { } id)
            {
                continue;
            }

            await importer.StartRowAsync(ct);
            await importer.WriteAsync(tenant, NpgsqlDbType.Text, ct);
            await importer.WriteAsync(id, NpgsqlDbType.Text, ct);
            await importer.WriteAsync(firstLeaf + i, NpgsqlDbType.Bigint, ct);
            await importer.WriteAsync(hashes.Slice(i * MerkleHash.Size, MerkleHash.Size).ToArray(), NpgsqlDbType.Bytea, ct);
        }

        await importer.CompleteAsync(ct);
    }

    /// <summary>
    /// The hashes of the leaves from <paramref name="firstLeaf"/> on that have a row, as far as they run without a
    /// gap (at most <paramref name="limit"/>), and the index of the first row after a gap (null if none was read):
    /// where the events without a row end.
    /// </summary>
    public static async Task<(byte[] Hashes, int Count, long? NextRow)> ReadLeafHashesAsync(
        NpgsqlConnection connection, NpgsqlTransaction tx, string tenant, long firstLeaf, int limit, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            $"""
            select leaf_index, leaf_hash from {LeafIds}
            where tenant_id = @tenant and leaf_index >= @first and leaf_hash is not null
            order by leaf_index limit @limit
            """,
            connection,
            tx);
        command.Parameters.AddWithValue("tenant", tenant);
        command.Parameters.AddWithValue("first", firstLeaf);
        command.Parameters.AddWithValue("limit", limit);
        // Grown as rows come: an idle poll (most of them) reads none, and a full buffer of `limit` would be a large-object allocation.
        var hashes = new List<byte[]>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var index = reader.GetInt64(0);
            if (index != firstLeaf + hashes.Count)
            {
                return (Concat(hashes), hashes.Count, index);
            }

            var hash = reader.GetFieldValue<byte[]>(1);
            if (hash.Length != MerkleHash.Size)
            {
                throw new InvalidDataException($"The leaf row at position {index} of a tenant's log has a {hash.Length}-byte hash; sealing stops there.");
            }

            hashes.Add(hash);
        }

        return (Concat(hashes), hashes.Count, null);
    }

    private static byte[] Concat(List<byte[]> hashes)
    {
        var all = new byte[hashes.Count * MerkleHash.Size];
        for (var i = 0; i < hashes.Count; i++)
        {
            hashes[i].CopyTo(all, i * MerkleHash.Size);
        }

        return all;
    }
}
