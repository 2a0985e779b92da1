namespace Ngrtc.Audit.Integrity;

/// <summary>
/// Every perfect subtree of a log, level by level in flat arrays (about 2 × 32 bytes per leaf: 64 MB at
/// 1,000,000 leaves). For the full verifier, which rebuilds the tree from the store, and for tests; the
/// service's own <see cref="IMerkleNodeReader"/> reads the nodes the sealer stored. Up to about 67 million
/// leaves (2^31 bytes per level).
/// Not thread-safe while appending; reads after the last append may run in parallel.
/// </summary>
public sealed class InMemoryMerkleTree : IMerkleNodeReader
{
    // Each level is one flat array, and .NET arrays stop just short of 2^31 bytes.
    private static readonly long MaxLeaves = Array.MaxLength / MerkleHash.Size;

    private readonly List<byte[]> levels = [];

    /// <summary>An empty tree.</summary>
    public InMemoryMerkleTree()
    {
    }

    /// <summary>Number of leaves.</summary>
    public long Size { get; private set; }

    /// <summary>A tree over the given leaf hashes (each already SHA-256(0x00 ‖ bytes)).</summary>
    public static InMemoryMerkleTree FromLeafHashes(IEnumerable<byte[]> leafHashes)
    {
        ArgumentNullException.ThrowIfNull(leafHashes);
        var tree = new InMemoryMerkleTree();
        foreach (var leafHash in leafHashes)
        {
            tree.Append(leafHash);
        }

        return tree;
    }

    /// <summary>Appends one leaf hash and the perfect subtrees it completes.</summary>
    public void Append(ReadOnlySpan<byte> leafHash)
    {
        if (!MerkleHash.IsHash(leafHash))
        {
            throw new ArgumentException($"A leaf hash is {MerkleHash.Size} bytes.", nameof(leafHash));
        }

        if (Size == MaxLeaves)
        {
            throw new InvalidOperationException($"{nameof(InMemoryMerkleTree)} holds at most {MaxLeaves} leaves.");
        }

        var index = Size;
        leafHash.CopyTo(Slot(0, index));
        for (var level = 0; (index & 1) == 1; level++, index >>= 1)
        {
            MerkleHash.Node(Slot(level, index - 1), Slot(level, index), Slot(level + 1, index >> 1));
        }

        Size++;
    }

    /// <inheritdoc />
    public void ReadNode(NodeId node, Span<byte> hash)
    {
        if (node.Level < 0 || node.Level >= levels.Count || node.Index < 0 || node.Index >= Size >> node.Level)
        {
            throw new ArgumentOutOfRangeException(nameof(node), $"Node {node} is not complete in a tree of {Size} leaves.");
        }

        levels[node.Level].AsSpan(checked((int)(node.Index * MerkleHash.Size)), MerkleHash.Size).CopyTo(hash);
    }

    /// <summary>MTH of the whole tree.</summary>
    public byte[] RootHash() => MerkleProofs.RootHash(this, Size);

    /// <summary>MTH of the first <paramref name="treeSize"/> leaves. Requires 0 &lt;= treeSize &lt;= <see cref="Size"/>.</summary>
    public byte[] RootHash(long treeSize) => MerkleProofs.RootHash(this, RequireSize(treeSize));

    /// <summary>Inclusion proof of leaf <paramref name="leafIndex"/> in the tree of size <paramref name="treeSize"/>. Requires 0 &lt;= leafIndex &lt; treeSize &lt;= <see cref="Size"/>.</summary>
    public byte[][] InclusionProof(long leafIndex, long treeSize) => MerkleProofs.Inclusion(this, leafIndex, RequireSize(treeSize));

    /// <summary>Consistency proof between tree sizes. Requires 0 &lt;= size1 &lt;= size2 &lt;= <see cref="Size"/>.</summary>
    public byte[][] ConsistencyProof(long size1, long size2) => MerkleProofs.Consistency(this, size1, RequireSize(size2));

    private long RequireSize(long treeSize)
    {
        if (treeSize < 0 || treeSize > Size)
        {
            throw new ArgumentOutOfRangeException(nameof(treeSize), $"Requires 0 <= treeSize <= {Size}; got {treeSize}.");
        }

        return treeSize;
    }

    // The slot of node (level, index), growing the level's array when index is one past its end.
    private Span<byte> Slot(int level, long index)
    {
        if (level == levels.Count)
        {
            levels.Add(new byte[16 * MerkleHash.Size]);
        }

        var offset = (int)(index * MerkleHash.Size);
        if (offset + MerkleHash.Size > levels[level].Length)
        {
            var grown = new byte[(int)Math.Min(2L * levels[level].Length, (MaxLeaves >> level) * MerkleHash.Size)];
            levels[level].CopyTo(grown, 0);
            levels[level] = grown;
        }

        return levels[level].AsSpan(offset, MerkleHash.Size);
    }
}
