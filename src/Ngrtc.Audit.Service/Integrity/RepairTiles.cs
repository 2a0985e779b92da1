using System.Text.Json;
using Ngrtc.Audit.Integrity;
using Ngrtc.Audit.Service.Hosting;
using Ngrtc.Audit.Service.Ingestion;
using Npgsql;

namespace Ngrtc.Audit.Service.Integrity;

/// <summary>What a tile repair did: <see cref="Refused"/> says why nothing was written, or null when the tiles were rebuilt.</summary>
/// <param name="RebuiltSize">The size the tiles were rebuilt to: the last signed head's; the sealer seals the rest again.</param>
public sealed record TileRepair(string Tenant, long SealedSize, long RebuiltSize, int Heads, int TilesWritten, string? Refused);

/// <summary>
/// Rebuilds a tenant's tiles from its stored events, for when `verify` names a damaged tile (and the sealer, which
/// signs nothing over tiles that no longer extend the last head, has stopped). Every leaf up to the last signed
/// head's size is recomputed from the events, and the tiles are written only if the rebuilt tree gives the root of
/// every signed head at its size; the sealed size goes back to the last head's, and the sealer seals the events
/// after it again from the hashes the appender stored with them. So the repair trusts the events only as far as
/// signed heads vouch for them: it cannot invent a history, it refuses when an event under a head was altered, and
/// an event altered after the last head is left for `verify` to name (its stored hash still differs).
/// Runs under the tenant's seal lock, in one transaction.
/// </summary>
public static class RepairTiles
{
    private const int WriteEvery = 256 * 1024;

    public static async Task<TileRepair> RunAsync(NpgsqlDataSource database, TreeHeadVerifier verifier, string tenant, CancellationToken ct)
    {
        await using var connection = await database.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await Sealer.SealLockAsync(connection, tx, tenant, wait: true, ct);

        var sealedSize = await Sealer.StoredSizeAsync(connection, tx, tenant, ct);
        var stored = await StoredHeads.AllAsync(connection, tenant, ct);
        TileRepair Refuse(string why) => new(tenant, sealedSize, 0, stored.Count, 0, why);
        if (sealedSize == 0 && stored.Count == 0)
        {
            // The sealer writes a tree's size only once it has sealed events, and signs heads only after that.
            return Refuse("this tenant has no sealed tree here");
        }

        var chain = TreeHeadChain.Verify([.. stored.Select(h => h.Jws)], verifier);
        if (chain.Failure != ChainFailure.None)
        {
            return Refuse($"the signed heads do not verify (tree head #{chain.FailedAt + 1}: {chain.Reason}); a repair rebuilds tiles only");
        }

        if (chain.Heads.Any(h => h.Tenant != tenant))
        {
            return Refuse("a tree head of another tenant is in this tenant's chain");
        }

        var heads = chain.Heads;
        var size = heads.Count > 0 ? heads[^1].TreeSize : 0;
        if (size > sealedSize)
        {
            return Refuse($"a head is signed at size {size}, past the sealed size {sealedSize}");
        }

        await using (var delete = new NpgsqlCommand($"delete from {IntegrityTables.Tiles} where tenant_id = @tenant", connection, tx))
        {
            delete.Parameters.AddWithValue("tenant", tenant);
            await delete.ExecuteNonQueryAsync(ct);
        }

        var edge = new TileEdge(0, []);
        var nextHead = 0;
        var written = 0;
        await using (var select = new NpgsqlCommand(
            $"""
            select version, data from {AuditStore.Schema}.mt_events
            where tenant_id = @tenant and stream_id = '{AuditAppender.TenantLog}' and version <= @size order by version
            """,
            connection,
            tx))
        {
            select.Parameters.AddWithValue("tenant", tenant);
            select.Parameters.AddWithValue("size", size);
            await using var reader = await select.ExecuteReaderAsync(ct);
            var leaf = new byte[MerkleHash.Size];
            while (await reader.ReadAsync(ct))
            {
                if (reader.GetInt64(0) != edge.Size + 1)
                {
                    return Refuse($"the log jumps from position {edge.Size} to {reader.GetInt64(0) - 1}");
                }

                try
                {
                    Leaves.Hash(reader.GetFieldValue<byte[]>(1), leaf);
                }
                catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException or KeyNotFoundException)
                {
                    return Refuse($"the event at position {edge.Size} cannot be read as a leaf");
                }

                edge.Append(leaf);
                if (HeadsAt(edge, heads, ref nextHead) is { } failed)
                {
                    return Refuse($"the events do not give the root of tree head #{failed + 1} (size {heads[failed].TreeSize}): an event was altered, which `verify` names");
                }

                if (edge.Size % WriteEvery == 0)
                {
                    // Bounded memory and parameter size: complete tiles go out as the tree grows (partial ones are
                    // written again, larger, later).
                    var flushed = edge.TakeChanges();
                    await IntegrityTables.WriteTilesAsync(connection, tx, tenant, flushed, ct);
                    written += flushed.Count(t => t.Hashes.Length == MerkleTiles.Width * MerkleTiles.HashSize);
                }
            }
        }

        if (edge.Size != size)
        {
            return Refuse($"the log ends at {edge.Size} events but a head is signed at {size} (truncated)");
        }

        var last = edge.TakeChanges();
        await IntegrityTables.WriteTilesAsync(connection, tx, tenant, last, ct);
        written += last.Count;
        await using (var update = new NpgsqlCommand($"update {IntegrityTables.Trees} set size = @size, sealed_at = now() where tenant_id = @tenant", connection, tx))
        {
            update.Parameters.AddWithValue("tenant", tenant);
            update.Parameters.AddWithValue("size", size);
            await update.ExecuteNonQueryAsync(ct);
        }

        await tx.CommitAsync(ct);
        return new TileRepair(tenant, sealedSize, size, heads.Count, written, null);
    }

    /// <summary>Checks the heads signed at the tree's size (a head of size 0 has the empty root); the index of the first whose root differs, if any.</summary>
    private static int? HeadsAt(TileEdge edge, IReadOnlyList<TreeHead> heads, ref int nextHead)
    {
        while (nextHead < heads.Count && heads[nextHead].TreeSize <= edge.Size)
        {
            var root = heads[nextHead].TreeSize == edge.Size ? edge.Root() : heads[nextHead].TreeSize == 0 ? MerkleHash.EmptyRoot.ToArray() : null;
            if (root is not null && !root.AsSpan().SequenceEqual(heads[nextHead].RootHash))
            {
                return nextHead;
            }

            nextHead++;
        }

        return null;
    }
}
