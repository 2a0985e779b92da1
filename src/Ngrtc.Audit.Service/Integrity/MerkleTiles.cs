namespace Ngrtc.Audit.Service.Integrity;

/// <summary>
/// Where the hashes of a tenant's Merkle tree live: tiles of 256 hashes (the C2SP tlog-tiles layout, height 8).
/// Tile (L, N) holds the hashes of tree level 8·L, nodes 256·N to 256·N + 255: level-0 tiles hold leaf hashes,
/// level-1 tiles the roots of 256-leaf subtrees, and so on. The hash of any perfect subtree is computed from at
/// most 256 entries of one tile, so an inclusion or consistency proof at a million leaves reads a handful of
/// rows. Full tiles never change again; only the last tile of each level grows.
/// </summary>
public static class MerkleTiles
{
    public const int Height = 8;
    public const int Width = 1 << Height;
    public const int HashSize = 32;

    /// <summary>The tile holding the entries under the perfect subtree at tree <paramref name="level"/> (2^level leaves), number <paramref name="index"/>.</summary>
    public static TileSpan Locate(int level, long index)
    {
        var tileLevel = level / Height;
        var within = level % Height;
        var first = index << within;
        return new TileSpan(tileLevel, first / Width, (int)(first % Width), 1 << within);
    }

    /// <summary>RFC 9162 node hash: SHA-256(0x01 ‖ left ‖ right).</summary>
    public static byte[] NodeHash(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right) => Ngrtc.Audit.Integrity.MerkleHash.Node(left, right);

    /// <summary>The root of a perfect subtree over <paramref name="count"/> consecutive hashes (a power of two) of one tile.</summary>
    public static byte[] PerfectRoot(ReadOnlySpan<byte> hashes, int first, int count)
    {
        var root = new byte[HashSize];
        PerfectRoot(hashes, first, count, root);
        return root;
    }

    /// <summary>
    /// Writes the root of the perfect subtree over <paramref name="count"/> consecutive hashes (a power of two, at
    /// most <see cref="Width"/>) starting at entry <paramref name="first"/> to <paramref name="destination"/>.
    /// Hashes level by level in a stack buffer: no allocation.
    /// </summary>
    public static void PerfectRoot(ReadOnlySpan<byte> hashes, int first, int count, Span<byte> destination)
    {
        if (count < 1 || count > Width || (count & (count - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, "A perfect subtree of one tile has 1 to 256 leaves, a power of two.");
        }

        var entries = hashes.Slice(first * HashSize, count * HashSize);
        if (count == 1)
        {
            entries.CopyTo(destination);
            return;
        }

        Span<byte> level = stackalloc byte[Width / 2 * HashSize];
        for (var i = 0; i < count / 2; i++)
        {
            Ngrtc.Audit.Integrity.MerkleHash.Node(entries.Slice(2 * i * HashSize, HashSize), entries.Slice(((2 * i) + 1) * HashSize, HashSize), level.Slice(i * HashSize, HashSize));
        }

        for (var width = count / 2; width > 1; width /= 2)
        {
            for (var i = 0; i < width / 2; i++)
            {
                // In place: node i of the next level overwrites node i of this one after both children were read.
                Ngrtc.Audit.Integrity.MerkleHash.Node(level.Slice(2 * i * HashSize, HashSize), level.Slice(((2 * i) + 1) * HashSize, HashSize), level.Slice(i * HashSize, HashSize));
            }
        }

        level[..HashSize].CopyTo(destination);
    }

    /// <summary>
    /// The perfect subtrees a tree of <paramref name="size"/> leaves splits into, left to right (largest first):
    /// its root is their hashes folded from the right, H(s1, H(s2, … sk)).
    /// </summary>
    public static IEnumerable<(int Level, long Index)> Decompose(long size)
    {
        long start = 0;
        for (var level = 62; level >= 0; level--)
        {
            if ((size & (1L << level)) != 0)
            {
                yield return (level, start >> level);
                start += 1L << level;
            }
        }
    }
}

/// <summary>Entries <see cref="First"/> to <see cref="First"/> + <see cref="Count"/> − 1 of tile (<see cref="TileLevel"/>, <see cref="TileIndex"/>).</summary>
public readonly record struct TileSpan(int TileLevel, long TileIndex, int First, int Count);

/// <summary>
/// The growing right edge of a tenant's tree in memory: the last (partial) tile of every level. Appending a leaf
/// fills the level-0 tile; a tile that reaches 256 entries is complete, and its root becomes the next entry of
/// the tile above. <see cref="Root"/> needs nothing but the edge.
/// </summary>
public sealed class TileEdge
{
    private const int TileBytes = MerkleTiles.Width * MerkleTiles.HashSize;

    // Per tile level: the partial tile's entries (a full-size buffer) and how many bytes of it are used.
    private readonly List<byte[]> _tiles = [];
    private readonly List<int> _used = [];
    private readonly HashSet<int> _changed = [];
    private readonly List<StoredTile> _completed = [];

    /// <param name="size">The tree size the stored tiles describe.</param>
    /// <param name="partialTiles">The stored last tile of each level, level 0 first (missing levels are empty).</param>
    public TileEdge(long size, IReadOnlyList<byte[]> partialTiles)
    {
        Size = size;
        for (var level = 0; level < Math.Max(partialTiles.Count, TopLevel(size) + 1); level++)
        {
            var stored = level < partialTiles.Count ? partialTiles[level] : [];
            if (stored.Length != EntriesAt(size, level) % MerkleTiles.Width * MerkleTiles.HashSize)
            {
                throw new InvalidDataException($"The stored tile edge at level {level} does not match tree size {size}.");
            }

            AddLevel();
            stored.CopyTo(_tiles[level], 0);
            _used[level] = stored.Length;
        }
    }

    public long Size { get; private set; }

    /// <summary>Entries stored at tile level <paramref name="level"/> for a tree of <paramref name="size"/> leaves.</summary>
    public static long EntriesAt(long size, int level) => size >> (MerkleTiles.Height * level);

    /// <summary>The tile index of the partial (last) tile of <paramref name="level"/> at <paramref name="size"/>.</summary>
    public static long PartialIndex(long size, int level) => EntriesAt(size, level) / MerkleTiles.Width;

    private static int TopLevel(long size)
    {
        var level = 0;
        while (EntriesAt(size, level + 1) > 0)
        {
            level++;
        }

        return level;
    }

    private void AddLevel()
    {
        _tiles.Add(new byte[TileBytes]);
        _used.Add(0);
    }

    public void Append(ReadOnlySpan<byte> leafHash)
    {
        Span<byte> carry = stackalloc byte[MerkleTiles.HashSize];
        leafHash.CopyTo(carry);
        for (var level = 0; ; level++)
        {
            if (_tiles.Count <= level)
            {
                AddLevel();
            }

            carry.CopyTo(_tiles[level].AsSpan(_used[level]));
            _used[level] += MerkleTiles.HashSize;
            if (_used[level] < TileBytes)
            {
                _changed.Add(level);
                break;
            }

            // Complete: stored once as it is, its root carried up, the level starts a new empty tile.
            var full = _tiles[level];
            _completed.Add(new StoredTile(level, PartialIndex(Size, level), full));
            _changed.Remove(level);
            MerkleTiles.PerfectRoot(full, 0, MerkleTiles.Width, carry);
            _tiles[level] = new byte[TileBytes];
            _used[level] = 0;
        }

        Size++;
    }

    /// <summary>Tiles to write since the last call: completed tiles and the partial tiles that grew.</summary>
    public IReadOnlyList<StoredTile> TakeChanges()
    {
        var changes = new List<StoredTile>(_completed);
        foreach (var level in _changed)
        {
            changes.Add(new StoredTile(level, PartialIndex(Size, level), _tiles[level][.._used[level]]));
        }

        _completed.Clear();
        _changed.Clear();
        return changes;
    }

    /// <summary>RFC 9162 MTH of the whole tree (SHA-256 of the empty string for an empty tree).</summary>
    public byte[] Root()
    {
        if (Size == 0)
        {
            return Ngrtc.Audit.Integrity.MerkleHash.EmptyRoot.ToArray();
        }

        byte[]? root = null;
        foreach (var (level, index) in MerkleTiles.Decompose(Size).Reverse())
        {
            var span = MerkleTiles.Locate(level, index);
            var subtree = MerkleTiles.PerfectRoot(_tiles[span.TileLevel], span.First, span.Count);
            root = root is null ? subtree : MerkleTiles.NodeHash(subtree, root);
        }

        return root!;
    }
}

/// <summary>One tile row: its level, index and hashes (32 bytes each; fewer than 256 in a partial tile).</summary>
public sealed record StoredTile(int Level, long Index, byte[] Hashes);
