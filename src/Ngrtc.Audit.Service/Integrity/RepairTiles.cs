using Ngrtc.Audit.Integrity;
using Ngrtc.Audit.Service.Hosting;
using Ngrtc.Audit.Service.Ingestion;
using Npgsql;

namespace Ngrtc.Audit.Service.Integrity;

/// <summary>What a tile repair did: <see cref="Refused"/> says why nothing was written, or null when the tiles were rebuilt.</summary>
public sealed record TileRepair(string Tenant, long SealedSize, int Heads, int TilesWritten, string? Refused);

/// <summary>
/// Rebuilds a tenant's tiles from its stored events, for when `verify` names a damaged tile (and the sealer, which
/// signs nothing over tiles that no longer extend the last head, has stopped). The events are the source: every
/// leaf is recomputed from them, and the tiles are written only if the rebuilt tree gives the root of every signed
/// head at its size. So a repair restores the one set of tiles the events and the heads agree on; it cannot invent a
/// history, and it refuses when an event was altered (the heads do not come out) or a head does not verify.
/// Runs under the tenant's seal lock, in one transaction.
/// </summary>
public static class RepairTiles
{
    public static async Task<TileRepair> RunAsync(NpgsqlDataSource database, TreeHeadVerifier verifier, string tenant, CancellationToken ct)
    {
        await using var connection = await database.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await using (var lockCommand = new NpgsqlCommand("select pg_advisory_xact_lock(hashtextextended('ngrtc-seal ' || @tenant, 0))", connection, tx))
        {
            lockCommand.Parameters.AddWithValue("tenant", tenant);
            await lockCommand.ExecuteNonQueryAsync(ct);
        }

        var sealedSize = await Sealer.StoredSizeAsync(connection, tx, tenant, ct);
        var stored = await StoredHeads.AllAsync(connection, tenant, ct);
        TileRepair Refuse(string why) => new(tenant, sealedSize, stored.Count, 0, why);

        var chain = TreeHeadChain.Verify([.. stored.Select(h => h.Jws)], verifier);
        if (chain.Failure != ChainFailure.None || chain.Heads.Any(h => h.Tenant != tenant))
        {
            return Refuse($"the signed heads do not verify (tree head #{chain.FailedAt + 1}: {chain.Reason}); a repair rebuilds tiles only");
        }

        var heads = chain.Heads;
        if (heads.Count > 0 && heads[^1].TreeSize > sealedSize)
        {
            return Refuse($"a head is signed at size {heads[^1].TreeSize}, past the sealed size {sealedSize}");
        }

        var edge = new TileEdge(0, []);
        var nextHead = 0;
        await using (var select = new NpgsqlCommand(
            $"""
            select version, data from {AuditStore.Schema}.mt_events
            where tenant_id = @tenant and stream_id = '{AuditAppender.TenantLog}' and version <= @size order by version
            """,
            connection,
            tx))
        {
            select.Parameters.AddWithValue("tenant", tenant);
            select.Parameters.AddWithValue("size", sealedSize);
            await using var reader = await select.ExecuteReaderAsync(ct);
            var leaf = new byte[MerkleHash.Size];
            while (await reader.ReadAsync(ct))
            {
                if (reader.GetInt64(0) != edge.Size + 1)
                {
                    return Refuse($"the log jumps from position {edge.Size} to {reader.GetInt64(0) - 1}");
                }

                Leaves.Hash(reader.GetFieldValue<byte[]>(1), leaf);
                edge.Append(leaf);
                if (HeadsAt(edge, heads, ref nextHead) is { } failed)
                {
                    return Refuse($"the events do not give the root of tree head #{failed + 1} (size {heads[failed].TreeSize}): an event was altered, which `verify` names");
                }
            }
        }

        if (edge.Size != sealedSize)
        {
            return Refuse($"the log ends at {edge.Size} events but {sealedSize} were sealed (truncated)");
        }

        var tiles = edge.TakeChanges();
        await using (var delete = new NpgsqlCommand($"delete from {IntegrityTables.Tiles} where tenant_id = @tenant", connection, tx))
        {
            delete.Parameters.AddWithValue("tenant", tenant);
            await delete.ExecuteNonQueryAsync(ct);
        }

        await IntegrityTables.WriteTilesAsync(connection, tx, tenant, tiles, ct);
        await tx.CommitAsync(ct);
        return new TileRepair(tenant, sealedSize, heads.Count, tiles.Count, null);
    }

    /// <summary>Checks the heads signed at the tree's size; the index of the first whose root differs, if any.</summary>
    private static int? HeadsAt(TileEdge edge, IReadOnlyList<TreeHead> heads, ref int nextHead)
    {
        while (nextHead < heads.Count && heads[nextHead].TreeSize <= edge.Size)
        {
            if (heads[nextHead].TreeSize == edge.Size && !edge.Root().AsSpan().SequenceEqual(heads[nextHead].RootHash))
            {
                return nextHead;
            }

            nextHead++;
        }

        return null;
    }
}
