using System.Numerics;

namespace Ngrtc.Audit.Integrity;

/// <summary>Called for every perfect subtree an append completes, the new leaf itself (level 0) included.</summary>
/// <param name="node">The completed subtree.</param>
/// <param name="hash">Its 32-byte hash; valid only during the call.</param>
public delegate void NodeCompleted(NodeId node, ReadOnlySpan<byte> hash);

/// <summary>
/// An append-only Merkle tree that keeps only its frontier: the roots of the perfect subtrees the tree
/// decomposes into, one per set bit of <see cref="Size"/>, biggest (left-most) first. O(log n) memory and
/// amortised one node hash per append, for the sealer. (Size, <see cref="Frontier"/>) is the whole state, so a
/// sealer that stores them with each tree head can <see cref="Restore"/> after a restart.
/// Not thread-safe.
/// </summary>
public sealed class CompactMerkleTree
{
    private const int MaxFrontier = 63;

    private readonly byte[] frontier = new byte[MaxFrontier * MerkleHash.Size];
    private int count;

    /// <summary>An empty tree.</summary>
    public CompactMerkleTree()
    {
    }

    /// <summary>Number of leaves appended so far.</summary>
    public long Size { get; private set; }

    /// <summary>
    /// The tree of size <paramref name="size"/> whose frontier is <paramref name="frontier"/> (as returned by
    /// <see cref="Frontier"/>). Requires size &gt;= 0 and one 32-byte hash per set bit of size. The frontier cannot
    /// be checked against the leaves here: compare <see cref="RootHash()"/> with the last signed root.
    /// </summary>
    public static CompactMerkleTree Restore(long size, IReadOnlyList<byte[]> frontier)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        ArgumentNullException.ThrowIfNull(frontier);
        var expected = BitOperations.PopCount((ulong)size);
        if (frontier.Count != expected)
        {
            throw new ArgumentException($"A tree of size {size} has {expected} frontier hashes, got {frontier.Count}.", nameof(frontier));
        }

        var tree = new CompactMerkleTree { Size = size, count = expected };
        for (var i = 0; i < expected; i++)
        {
            if (!MerkleHash.IsHash(frontier[i]))
            {
                throw new ArgumentException($"Frontier hash {i} is not {MerkleHash.Size} bytes.", nameof(frontier));
            }

            frontier[i].CopyTo(tree.Slot(i));
        }

        return tree;
    }

    /// <summary>
    /// The frontier: one hash per set bit of <see cref="Size"/>, for the subtrees of
    /// <see cref="MerkleProofs.RangeNodes"/>, biggest first. Copies.
    /// </summary>
    public IReadOnlyList<byte[]> Frontier()
    {
        var hashes = new byte[count][];
        for (var i = 0; i < count; i++)
        {
            hashes[i] = Slot(i).ToArray();
        }

        return hashes;
    }

    /// <summary>
    /// Appends one leaf hash (already SHA-256(0x00 ‖ bytes)). <paramref name="onCompleted"/>, if given, hears of
    /// the leaf and of every perfect subtree it completes, lowest first, so a store can keep them for proofs.
    /// </summary>
    public void Append(ReadOnlySpan<byte> leafHash, NodeCompleted? onCompleted = null)
    {
        if (!MerkleHash.IsHash(leafHash))
        {
            throw new ArgumentException($"A leaf hash is {MerkleHash.Size} bytes.", nameof(leafHash));
        }

        if (Size == long.MaxValue)
        {
            throw new InvalidOperationException("The tree is full.");
        }

        Span<byte> hash = stackalloc byte[MerkleHash.Size];
        leafHash.CopyTo(hash);
        var node = new NodeId(0, Size);
        onCompleted?.Invoke(node, hash);

        // Each trailing one bit of the old size is a frontier subtree of the new leaf's size waiting for a
        // right sibling: merge them.
        for (var bits = Size; (bits & 1) == 1; bits >>= 1)
        {
            count--;
            MerkleHash.Node(Slot(count), hash, hash);
            node = node.Parent;
            onCompleted?.Invoke(node, hash);
        }

        hash.CopyTo(Slot(count));
        count++;
        Size++;
    }

    /// <summary>
    /// Appends 2^<paramref name="height"/> leaves at once, given the root of their perfect subtree (as
    /// <see cref="MerkleHash"/> computes it from their leaf hashes): the same tree as appending them one by one.
    /// Requires 0 &lt;= height &lt; 63 and <see cref="Size"/> a multiple of 2^height, so the subtree is one of the
    /// tree's own nodes. No <see cref="NodeCompleted"/> calls.
    /// </summary>
    public void AppendSubtree(int height, ReadOnlySpan<byte> root)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(height);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(height, MaxFrontier - 1);
        if (!MerkleHash.IsHash(root))
        {
            throw new ArgumentException($"A subtree root is {MerkleHash.Size} bytes.", nameof(root));
        }

        var leaves = 1L << height;
        if (Size % leaves != 0)
        {
            throw new InvalidOperationException($"A subtree of {leaves} leaves cannot start at leaf {Size}.");
        }

        if (Size > long.MaxValue - leaves)
        {
            throw new InvalidOperationException("The tree is full.");
        }

        Span<byte> hash = stackalloc byte[MerkleHash.Size];
        root.CopyTo(hash);
        for (var bits = Size >> height; (bits & 1) == 1; bits >>= 1)
        {
            count--;
            MerkleHash.Node(Slot(count), hash, hash);
        }

        hash.CopyTo(Slot(count));
        count++;
        Size += leaves;
    }

    /// <summary>An independent copy of this tree (its frontier is 2 KiB).</summary>
    public CompactMerkleTree Clone()
    {
        var copy = new CompactMerkleTree { Size = Size, count = count };
        frontier.CopyTo(copy.frontier, 0);
        return copy;
    }

    /// <summary>Writes MTH of the current leaves to <paramref name="destination"/> (32 bytes).</summary>
    public void RootHash(Span<byte> destination)
    {
        if (count == 0)
        {
            MerkleHash.EmptyRoot.CopyTo(destination);
            return;
        }

        Span<byte> root = stackalloc byte[MerkleHash.Size];
        Slot(count - 1).CopyTo(root);
        for (var i = count - 2; i >= 0; i--)
        {
            MerkleHash.Node(Slot(i), root, root);
        }

        root.CopyTo(destination);
    }

    /// <summary>MTH of the current leaves.</summary>
    public byte[] RootHash()
    {
        var root = new byte[MerkleHash.Size];
        RootHash(root);
        return root;
    }

    private Span<byte> Slot(int i) => frontier.AsSpan(i * MerkleHash.Size, MerkleHash.Size);
}
