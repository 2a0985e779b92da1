using System.Text.Json;
using System.Threading.Channels;
using Ngrtc.Audit.Integrity;
using Ngrtc.Audit.Service.Hosting;
using Ngrtc.Audit.Service.Ingestion;
using Npgsql;

namespace Ngrtc.Audit.Service.Integrity;

/// <summary>What full verification found for one tenant; <see cref="Problem"/> is null when the log is intact.</summary>
public sealed record TenantVerification(string Tenant, long Events, long SealedSize, int Heads, string? Problem, long? LeafIndex = null, string? EventId = null)
{
    public bool Clean => Problem is null;
}

/// <summary>
/// Full verification of the store, CloudTrail validate-logs style: every leaf recomputed from the stored events
/// and compared with the sealed tiles, the tree rebuilt, every tree head's signature, chain and root checked
/// against it; last, the stored tiles above level 0 (from which proofs are served) rebuilt and compared. Reports the
/// first bad leaf (index and event id), head or tile of each tenant.
/// </summary>
/// <remarks>
/// A pipeline: one reader streams the events (as UTF-8 bytes) and the sealed leaf tiles, in log order, cut into
/// chunks of one tile (256 leaves); the chunks' leaves are recomputed and compared with their tile on the thread
/// pool, several chunks at once; one consumer takes the chunks back in log order, appends each chunk's subtree to
/// the tree and checks the heads. Every problem has a place in log order (a missing or inserted event before its
/// position's leaf, a bad leaf at its index, a head after the leaf that completes its size); chunks are judged in
/// order and each chunk's first problem is found before any later one is looked at, so the problem reported is
/// the first in log order, as if one thread had walked the log.
/// </remarks>
public static class VerifyLog
{
    private const int ChunkSize = MerkleTiles.Width;
    private const int Height = MerkleTiles.Height;

    public static Task<IReadOnlyList<TenantVerification>> RunAsync(NpgsqlDataSource database, TreeHeadVerifier verifier, CancellationToken ct) =>
        RunAsync(database, verifier, null, ct);

    /// <summary>
    /// Verifies every tenant's log, or only <paramref name="tenant"/>'s (a tenant with no log here is reported as a
    /// problem: whoever asks believes it has one). Throws <see cref="InvalidDataException"/> when the store has no
    /// audit schema or no integrity tables at all (never created, or dropped).
    /// </summary>
    public static async Task<IReadOnlyList<TenantVerification>> RunAsync(NpgsqlDataSource database, TreeHeadVerifier verifier, string? tenant, CancellationToken ct)
    {
        await using var connection = await database.OpenConnectionAsync(ct);
        await using (var tables = new NpgsqlCommand(
            $"select to_regclass('{AuditStore.Schema}.mt_streams') is not null and to_regclass('{IntegrityTables.Trees}') is not null and to_regclass('{IntegrityTables.Tiles}') is not null and to_regclass('{IntegrityTables.Heads}') is not null",
            connection))
        {
            if (!(bool)(await tables.ExecuteScalarAsync(ct))!)
            {
                throw new InvalidDataException(
                    $"The database has no audit store or no integrity tables ({IntegrityTables.Trees}, {IntegrityTables.Tiles}, {IntegrityTables.Heads}): nothing here can be verified. The service creates them when it first starts; if it ran here, they were dropped.");
            }
        }

        var tenants = new List<string>();
        await using (var list = new NpgsqlCommand(
            $"select tenant_id from {IntegrityTables.Trees} union select tenant_id from {AuditStore.Schema}.mt_streams where id = '{AuditAppender.TenantLog}' order by 1",
            connection))
        await using (var reader = await list.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                tenants.Add(reader.GetString(0));
            }
        }

        if (tenant is not null)
        {
            if (!tenants.Contains(tenant, StringComparer.Ordinal))
            {
                return [new TenantVerification(tenant, 0, 0, 0, "this tenant has no log here (no events, no sealed tree)")];
            }

            tenants = [tenant];
        }

        var results = new List<TenantVerification>();
        foreach (var each in tenants)
        {
            results.Add(await VerifyTenantAsync(database, connection, each, verifier, ct));
        }

        return results;
    }

    private static async Task<TenantVerification> VerifyTenantAsync(NpgsqlDataSource database, NpgsqlConnection connection, string tenant, TreeHeadVerifier verifier, CancellationToken ct)
    {
        // The sealed size and the tiles above level 0 in one snapshot, so a sealer running beside leaves them matching.
        long sealedSize;
        var storedUpper = new Dictionary<(int Level, long Index), byte[]>();
        await using (var snapshot = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct))
        {
            sealedSize = await Sealer.StoredSizeAsync(connection, snapshot, tenant, ct);
            await using var tiles = new NpgsqlCommand($"select level, idx, hashes from {IntegrityTables.Tiles} where tenant_id = @t and level > 0", connection, snapshot);
            tiles.Parameters.AddWithValue("t", tenant);
            await using (var reader = await tiles.ExecuteReaderAsync(ct))
            {
                while (await reader.ReadAsync(ct))
                {
                    storedUpper[(reader.GetInt32(0), reader.GetInt64(1))] = reader.GetFieldValue<byte[]>(2);
                }
            }

            await snapshot.CommitAsync(ct);
        }

        // The heads first: signatures and chain, from the JWS alone.
        var stored = await StoredHeads.AllAsync(connection, tenant, ct);
        var chain = TreeHeadChain.Verify([.. stored.Select(h => h.Jws)], verifier);
        if (chain.Failure != ChainFailure.None)
        {
            return new TenantVerification(tenant, 0, sealedSize, stored.Count, $"tree head #{chain.FailedAt + 1}: {chain.Reason}");
        }

        var heads = chain.Heads.Where(h => h.Tenant == tenant).ToList();
        if (heads.Count != chain.Heads.Count)
        {
            return new TenantVerification(tenant, 0, sealedSize, stored.Count, "a tree head of another tenant is in this tenant's chain");
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        // Enough chunks in flight to keep every core busy while the reader runs ahead, few enough to bound memory.
        var chunks = Channel.CreateBounded<Chunk>(new BoundedChannelOptions((2 * Environment.ProcessorCount) + 2) { SingleReader = true, SingleWriter = true });
        var reading = Task.Run(() => ReadChunksAsync(database, connection, tenant, sealedSize, chunks.Writer, stop.Token), CancellationToken.None);
        try
        {
            return await JudgeAsync(tenant, sealedSize, heads, storedUpper, chunks.Reader, stop.Token);
        }
        finally
        {
            await stop.CancelAsync();
            // The reader stops at the cancellation; a failure of its own reached the consumer through the channel.
            await reading.ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    /// <summary>The consumer: chunks in log order, the tree and the heads; last, the stored tiles above level 0.</summary>
    private static async Task<TenantVerification> JudgeAsync(
        string tenant, long sealedSize, List<TreeHead> heads, Dictionary<(int Level, long Index), byte[]> storedUpper, ChannelReader<Chunk> chunks, CancellationToken ct)
    {
        var tree = new CompactMerkleTree();
        var upper = new UpperTiles();
        var nextHead = 0;
        long index = 0;
        await foreach (var chunk in chunks.ReadAllAsync(ct))
        {
            var judged = await chunk.Judged;
            var good = judged.FirstBad ?? chunk.Count;
            var headInside = nextHead < heads.Count && heads[nextHead].TreeSize > index && heads[nextHead].TreeSize < index + chunk.Count;
            if (good == ChunkSize && !headInside && tree.Size % ChunkSize == 0)
            {
                tree.AppendSubtree(Height, judged.Root!);
                index += ChunkSize;
                if (CheckHeads(tree, heads, ref nextHead) is { } failed)
                {
                    return HeadMismatch(tenant, sealedSize, heads, failed, index);
                }
            }
            else
            {
                for (var i = 0; i < good; i++)
                {
                    tree.Append(judged.Leaves.AsSpan(i * MerkleHash.Size, MerkleHash.Size));
                    index++;
                    if (CheckHeads(tree, heads, ref nextHead) is { } failed)
                    {
                        return HeadMismatch(tenant, sealedSize, heads, failed, index);
                    }
                }
            }

            if (judged.FirstBad is { } bad)
            {
                return new TenantVerification(tenant, index, sealedSize, heads.Count, judged.Problem, chunk.First + bad, chunk.EventIdAt(bad));
            }

            if (chunk.Count == ChunkSize && chunk.First + ChunkSize <= sealedSize)
            {
                // A complete sealed level-0 tile, all of its leaves good: its root is the next entry of tile level 1.
                upper.Add(judged.Root!);
            }

            if (chunk.Gap is { } gap)
            {
                return new TenantVerification(tenant, index, sealedSize, heads.Count, gap.Version > index + 1 ? "an event is missing (deleted)" : "an event was inserted", index, EventIdOf(gap.Data));
            }
        }

        while (nextHead < heads.Count && heads[nextHead].TreeSize == 0)
        {
            nextHead++;
        }

        if (index < sealedSize || nextHead < heads.Count)
        {
            var signedSize = heads.Count > 0 ? heads[^1].TreeSize : 0;
            return new TenantVerification(tenant, index, sealedSize, heads.Count, $"the log ends at {index} events but {Math.Max(sealedSize, signedSize)} were sealed (truncated)", index);
        }

        return new TenantVerification(tenant, index, sealedSize, heads.Count, upper.FirstDifference(storedUpper));
    }

    /// <summary>The heads signed at the tree's size, in order; the number of the first whose root differs, if any.</summary>
    private static int? CheckHeads(CompactMerkleTree tree, List<TreeHead> heads, ref int nextHead)
    {
        if (nextHead >= heads.Count || heads[nextHead].TreeSize != tree.Size)
        {
            return null;
        }

        Span<byte> root = stackalloc byte[MerkleHash.Size];
        tree.RootHash(root);
        while (nextHead < heads.Count && heads[nextHead].TreeSize == tree.Size)
        {
            if (!heads[nextHead].RootHash.AsSpan().SequenceEqual(root))
            {
                return nextHead;
            }

            nextHead++;
        }

        return null;
    }

    /// <summary>
    /// A signed root that the events do not give, although every event gave its stored leaf: an event and its stored
    /// leaf were changed together (or the tiles were). Which event cannot be told, only that it is at or after the
    /// previous head's size, whose root still matched; no event is named, as naming one would blame a bystander.
    /// </summary>
    private static TenantVerification HeadMismatch(string tenant, long sealedSize, List<TreeHead> heads, int failed, long index)
    {
        var from = failed > 0 ? heads[failed - 1].TreeSize : 0;
        var to = heads[failed].TreeSize;
        return new(
            tenant,
            index,
            sealedSize,
            heads.Count,
            $"tree head #{failed + 1} (size {to}) does not match the events, though each event matches its stored leaf: an event at positions {from}–{to - 1} was changed together with its stored leaf (or the stored tiles were)",
            from,
            null);
    }

    /// <summary>
    /// The reader: the tenant's events in log order and its level-0 tiles beside them (a second connection), one
    /// chunk per tile, each chunk's leaves started on the thread pool as soon as it is cut. Stops after a gap in
    /// the log positions, which it leaves on the last chunk for the consumer to report in its place.
    /// </summary>
    private static async Task ReadChunksAsync(NpgsqlDataSource database, NpgsqlConnection connection, string tenant, long sealedSize, ChannelWriter<Chunk> output, CancellationToken ct)
    {
        try
        {
            await using var tiles = await TileCursor.OpenAsync(database, tenant, ct);
            await using var select = new NpgsqlCommand(
                $"select version, data from {AuditStore.Schema}.mt_events where tenant_id = @t and stream_id = '{AuditAppender.TenantLog}' order by version",
                connection);
            select.Parameters.AddWithValue("t", tenant);
            await using var reader = await select.ExecuteReaderAsync(ct);
            long index = 0;
            var rows = new byte[ChunkSize][];
            var count = 0;
            (long, byte[])? gap = null;
            while (await reader.ReadAsync(ct))
            {
                var version = reader.GetInt64(0);
                var data = reader.GetFieldValue<byte[]>(1);
                if (version != index + 1)
                {
                    gap = (version, data);
                    break;
                }

                rows[count++] = data;
                index++;
                if (count == ChunkSize)
                {
                    await output.WriteAsync(await StartAsync(index - count, rows, count, null), ct);
                    rows = new byte[ChunkSize][];
                    count = 0;
                }
            }

            if (count > 0 || gap is not null)
            {
                await output.WriteAsync(await StartAsync(index - count, rows, count, gap), ct);
            }

            output.Complete();

            async Task<Chunk> StartAsync(long first, byte[][] chunkRows, int chunkCount, (long Version, byte[] Data)? chunkGap)
            {
                var tile = first < sealedSize ? await tiles.TileAsync(first / ChunkSize, ct) : null;
                var chunk = new Chunk(first, chunkRows, chunkCount, chunkGap);
                chunk.Judged = Task.Run(() => Judge(chunk, tile, sealedSize), ct);
                return chunk;
            }
        }
        catch (Exception e)
        {
            output.TryComplete(e);
            throw;
        }
    }

    /// <summary>
    /// One chunk's leaves recomputed and compared with the sealed tile, up to the first bad one; the root of the
    /// chunk's subtree when all 256 are good.
    /// </summary>
    private static ChunkVerdict Judge(Chunk chunk, byte[]? tile, long sealedSize)
    {
        var leaves = new byte[chunk.Count * MerkleHash.Size];
        for (var i = 0; i < chunk.Count; i++)
        {
            var leaf = leaves.AsSpan(i * MerkleHash.Size, MerkleHash.Size);
            try
            {
                Leaves.Hash(chunk.Rows[i], leaf);
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException or KeyNotFoundException)
            {
                return new ChunkVerdict(leaves, i, "the event cannot be read as a leaf (its stored JSON lacks what a leaf is made of)", default);
            }

            if (chunk.First + i < sealedSize)
            {
                var sealedLeaf = tile is not null && tile.Length >= (i + 1) * MerkleHash.Size ? tile.AsSpan(i * MerkleHash.Size, MerkleHash.Size) : default;
                if (!sealedLeaf.SequenceEqual(leaf))
                {
                    return new ChunkVerdict(leaves, i, "the event differs from the one sealed at its position", default);
                }
            }
        }

        var root = new byte[MerkleHash.Size];
        if (chunk.Count == ChunkSize)
        {
            MerkleTiles.PerfectRoot(leaves, 0, ChunkSize, root);
        }

        return new ChunkVerdict(leaves, null, null, root);
    }

    private static string? EventIdOf(byte[] storedEventUtf8)
    {
        try
        {
            using var stored = JsonDocument.Parse(storedEventUtf8);
            return stored.RootElement.TryGetProperty("envelope", out var envelope) && envelope.ValueKind == JsonValueKind.Object
                && envelope.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String
                ? id.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Leaves <see cref="First"/> to <see cref="First"/> + <see cref="Count"/> − 1 as stored, and a gap after them if the log jumps there.</summary>
    private sealed class Chunk(long first, byte[][] rows, int count, (long Version, byte[] Data)? gap)
    {
        public long First { get; } = first;

        public byte[][] Rows { get; } = rows;

        public int Count { get; } = count;

        public (long Version, byte[] Data)? Gap { get; } = gap;

        public Task<ChunkVerdict> Judged { get; set; } = null!;

        public string? EventIdAt(int i) => EventIdOf(Rows[i]);
    }

    /// <param name="Leaves">The recomputed leaf hashes (valid up to <paramref name="FirstBad"/>).</param>
    /// <param name="FirstBad">The chunk offset of its first bad leaf, if any, and <paramref name="Problem"/> says why.</param>
    /// <param name="Root">The chunk's subtree root when all 256 leaves are good.</param>
    private sealed record ChunkVerdict(byte[] Leaves, int? FirstBad, string? Problem, byte[]? Root);

    /// <summary>The tenant's level-0 tiles in order on a connection of their own (the first is busy streaming events).</summary>
    private sealed class TileCursor : IAsyncDisposable
    {
        private readonly NpgsqlConnection _connection;
        private readonly NpgsqlCommand _command;
        private readonly NpgsqlDataReader _reader;
        private bool _more = true;
        private bool _started;

        private TileCursor(NpgsqlConnection connection, NpgsqlCommand command, NpgsqlDataReader reader)
        {
            _connection = connection;
            _command = command;
            _reader = reader;
        }

        public static async Task<TileCursor> OpenAsync(NpgsqlDataSource database, string tenant, CancellationToken ct)
        {
            var connection = await database.OpenConnectionAsync(ct);
            var command = new NpgsqlCommand($"select idx, hashes from {IntegrityTables.Tiles} where tenant_id = @t and level = 0 order by idx", connection);
            command.Parameters.AddWithValue("t", tenant);
            return new TileCursor(connection, command, await command.ExecuteReaderAsync(ct));
        }

        /// <summary>Tile <paramref name="index"/>, or null if it is not stored; requires increasing indexes.</summary>
        public async Task<byte[]?> TileAsync(long index, CancellationToken ct)
        {
            if (!_started)
            {
                _more = await _reader.ReadAsync(ct);
                _started = true;
            }

            while (_more && _reader.GetInt64(0) < index)
            {
                _more = await _reader.ReadAsync(ct);
            }

            return _more && _reader.GetInt64(0) == index ? _reader.GetFieldValue<byte[]>(1) : null;
        }

        public async ValueTask DisposeAsync()
        {
            await _reader.DisposeAsync();
            await _command.DisposeAsync();
            await _connection.DisposeAsync();
        }
    }
}
