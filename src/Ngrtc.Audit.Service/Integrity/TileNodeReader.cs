using Ngrtc.Audit.Integrity;
using Npgsql;

namespace Ngrtc.Audit.Service.Integrity;

/// <summary>
/// Serves the perfect-subtree hashes a proof plan asks for from the tenant's tiles: the tiles the plan needs are
/// read in one query, then each node is hashed from at most 256 entries of its tile.
/// </summary>
public sealed class TileNodeReader : IMerkleNodeReader
{
    private readonly Dictionary<(int Level, long Index), byte[]> _tiles;

    private TileNodeReader(Dictionary<(int, long), byte[]> tiles) => _tiles = tiles;

    public static async Task<TileNodeReader> ForAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, string tenant, IEnumerable<NodeId> nodes, CancellationToken ct)
    {
        var wanted = nodes.Select(n => MerkleTiles.Locate(n.Level, n.Index)).Select(s => (s.TileLevel, s.TileIndex)).Distinct().ToList();
        return new TileNodeReader(await IntegrityTables.ReadTilesAsync(connection, tx, tenant, wanted, ct));
    }

    public void ReadNode(NodeId node, Span<byte> hash)
    {
        var span = MerkleTiles.Locate(node.Level, node.Index);
        if (!_tiles.TryGetValue((span.TileLevel, span.TileIndex), out var tile) || tile.Length < (span.First + span.Count) * MerkleTiles.HashSize)
        {
            throw new InvalidOperationException($"Node {node} is not sealed yet.");
        }

        MerkleTiles.PerfectRoot(tile, span.First, span.Count, hash);
    }
}
