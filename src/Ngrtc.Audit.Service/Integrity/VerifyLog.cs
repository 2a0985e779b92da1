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
/// against it. Reports the first bad leaf (index and event id) or head of each tenant.
/// </summary>
public static class VerifyLog
{
    public static async Task<IReadOnlyList<TenantVerification>> RunAsync(NpgsqlDataSource database, TreeHeadVerifier verifier, CancellationToken ct)
    {
        await using var connection = await database.OpenConnectionAsync(ct);
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

        var results = new List<TenantVerification>();
        foreach (var tenant in tenants)
        {
            results.Add(await VerifyTenantAsync(database, connection, tenant, verifier, ct));
        }

        return results;
    }

    private static async Task<TenantVerification> VerifyTenantAsync(NpgsqlDataSource database, NpgsqlConnection connection, string tenant, TreeHeadVerifier verifier, CancellationToken ct)
    {
        long sealedSize;
        await using (var size = new NpgsqlCommand($"select coalesce((select size from {IntegrityTables.Trees} where tenant_id = @t), 0)", connection))
        {
            size.Parameters.AddWithValue("t", tenant);
            sealedSize = (long)(await size.ExecuteScalarAsync(ct))!;
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

        var tree = new CompactMerkleTree();
        var nextHead = 0;
        long index = 0;
        byte[]? tile = null;
        await using var select = new NpgsqlCommand(
            $"select version, data, data->'envelope'->>'id' from {AuditStore.Schema}.mt_events where tenant_id = @t and stream_id = '{AuditAppender.TenantLog}' order by version",
            connection);
        select.Parameters.AddWithValue("t", tenant);
        await using var reader = await select.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var version = reader.GetInt64(0);
            var eventId = reader.GetString(2);
            if (version != index + 1)
            {
                return new TenantVerification(tenant, index, sealedSize, heads.Count, version > index + 1 ? "an event is missing (deleted)" : "an event was inserted", index, eventId);
            }

            var leaf = Leaves.Hash(reader.GetString(1));
            if (index < sealedSize)
            {
                if (index % MerkleTiles.Width == 0)
                {
                    tile = await ReadTileAsync(tenant, index / MerkleTiles.Width, ct);
                }

                var sealedLeaf = tile is not null && tile.Length >= ((index % MerkleTiles.Width) + 1) * MerkleTiles.HashSize
                    ? tile.AsSpan((int)(index % MerkleTiles.Width) * MerkleTiles.HashSize, MerkleTiles.HashSize)
                    : default;
                if (!sealedLeaf.SequenceEqual(leaf))
                {
                    return new TenantVerification(tenant, index, sealedSize, heads.Count, "the event differs from the one sealed at its position", index, eventId);
                }
            }

            tree.Append(leaf);
            index++;
            while (nextHead < heads.Count && heads[nextHead].TreeSize == tree.Size)
            {
                if (!heads[nextHead].RootHash.AsSpan().SequenceEqual(tree.RootHash()))
                {
                    return new TenantVerification(tenant, index, sealedSize, heads.Count, $"tree head #{nextHead + 1} (size {tree.Size}) does not match the events", index - 1, eventId);
                }

                nextHead++;
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

        return new TenantVerification(tenant, index, sealedSize, heads.Count, null);

        async Task<byte[]?> ReadTileAsync(string t, long tileIndex, CancellationToken token)
        {
            // A second connection: the first is busy streaming events.
            await using var other = await database.OpenConnectionAsync(token);
            var tiles = await IntegrityTables.ReadTilesAsync(other, null, t, [(0, tileIndex)], token);
            return tiles.GetValueOrDefault((0, tileIndex));
        }
    }
}
