namespace Ngrtc.Audit.Service.Integrity;

/// <summary>
/// Tile levels 1 and up rebuilt from the roots of the complete level-0 tiles, to be compared with the stored ones.
/// Proofs are served from these tiles: a damaged one leaves the events and the signed heads intact but makes the
/// proofs that pass through it fail, so full verification checks them too. Level L + 1 of the store is level L of
/// a <see cref="TileEdge"/> fed with the level-0 tile roots, so the same code that wrote the tiles rebuilds them.
/// </summary>
public sealed class UpperTiles
{
    private readonly TileEdge _edge = new(0, []);

    /// <summary>Adds the root of the next complete level-0 tile (the next entry of tile level 1).</summary>
    public void Add(ReadOnlySpan<byte> levelZeroTileRoot) => _edge.Append(levelZeroTileRoot);

    /// <summary>
    /// The first stored tile of level 1 or above, in (level, index) order, that differs from the rebuilt one, is
    /// missing, or is one the sealed leaves do not account for; null when the stored tiles are exactly the rebuilt
    /// ones. <paramref name="stored"/> must be read in the snapshot that gave the sealed size whose complete level-0
    /// tiles were added. Call once: it takes the rebuilt tiles.
    /// </summary>
    public string? FirstDifference(IReadOnlyDictionary<(int Level, long Index), byte[]> stored)
    {
        var rebuilt = _edge.TakeChanges().ToDictionary(t => (Level: t.Level + 1, t.Index), t => t.Hashes);
        foreach (var (level, index) in rebuilt.Keys.Union(stored.Keys).Order())
        {
            var problem = !stored.TryGetValue((level, index), out var found) ? "is missing"
                : !rebuilt.TryGetValue((level, index), out var expected) ? "is not accounted for by the sealed leaves"
                : !found.AsSpan().SequenceEqual(expected) ? "differs from the one the sealed leaves give"
                : null;
            if (problem is not null)
            {
                return $"the stored tile at level {level}, index {index} {problem}: the events and the signed heads are intact, but proofs served through that tile will not verify";
            }
        }

        return null;
    }
}
