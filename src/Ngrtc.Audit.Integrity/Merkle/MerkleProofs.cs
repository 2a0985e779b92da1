using System.Numerics;

namespace Ngrtc.Audit.Integrity;

/// <summary>
/// Generates RFC 9162 proofs from stored perfect subtrees: the inclusion proof PATH(m, D[n]) of §2.1.3.1 and the
/// consistency proof PROOF(m, D[n]) of §2.1.4.1. Planning is pure arithmetic on sizes; a proof touches
/// O(log n) nodes (at most 2·log2(n)), so a proof at 1,000,000 leaves reads about 20 to 40 hashes.
/// </summary>
public static class MerkleProofs
{
    /// <summary>
    /// The nodes of the inclusion proof for leaf <paramref name="leafIndex"/> in the tree of size
    /// <paramref name="treeSize"/>. Requires 0 &lt;= leafIndex &lt; treeSize.
    /// </summary>
    public static ProofPlan PlanInclusion(long leafIndex, long treeSize)
    {
        if (leafIndex < 0 || leafIndex >= treeSize)
        {
            throw new ArgumentOutOfRangeException(nameof(leafIndex), $"Requires 0 <= leafIndex < treeSize; got {leafIndex} and {treeSize}.");
        }

        return PlanPath(leafIndex, 0, treeSize).SkipFirst();
    }

    /// <summary>
    /// The nodes of the consistency proof from the tree of size <paramref name="size1"/> to the tree of size
    /// <paramref name="size2"/>. Requires 0 &lt;= size1 &lt;= size2; the proof is empty when size1 is 0 or equal to size2.
    /// </summary>
    public static ProofPlan PlanConsistency(long size1, long size2)
    {
        if (size1 < 0 || size1 > size2)
        {
            throw new ArgumentOutOfRangeException(nameof(size1), $"Requires 0 <= size1 <= size2; got {size1} and {size2}.");
        }

        if (size1 == 0 || size1 == size2)
        {
            return ProofPlan.Empty;
        }

        // The biggest perfect subtree that ends at size1: its hash starts the proof, followed by its inclusion
        // path in the tree of size2. When size1 is a power of two that subtree is the whole old tree, whose root
        // the verifier already holds, so it is left out (RFC 9162 §2.1.4.1, SUBPROOF with b = true).
        var level = BitOperations.TrailingZeroCount(size1);
        var index = (size1 - 1) >> level;
        var plan = PlanPath(index, level, size2);
        return index == 0 ? plan.SkipFirst() : plan;
    }

    /// <summary>
    /// The perfect subtrees that make up the tree of size <paramref name="treeSize"/>, biggest (left-most) first;
    /// its root is their right-to-left fold. Requires treeSize &gt;= 0.
    /// </summary>
    public static IReadOnlyList<NodeId> RangeNodes(long treeSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(treeSize);
        var nodes = new List<NodeId>(BitOperations.PopCount((ulong)treeSize));
        AddRange(0, treeSize, nodes);
        return nodes;
    }

    /// <summary>Inclusion proof PATH(leafIndex, D[treeSize]) read from <paramref name="reader"/>. Requires 0 &lt;= leafIndex &lt; treeSize.</summary>
    public static byte[][] Inclusion(IMerkleNodeReader reader, long leafIndex, long treeSize) =>
        PlanInclusion(leafIndex, treeSize).Rehash(reader);

    /// <summary>Consistency proof PROOF(size1, D[size2]) read from <paramref name="reader"/>. Requires 0 &lt;= size1 &lt;= size2.</summary>
    public static byte[][] Consistency(IMerkleNodeReader reader, long size1, long size2) =>
        PlanConsistency(size1, size2).Rehash(reader);

    /// <summary>MTH of the first <paramref name="treeSize"/> leaves, from at most log2(n)+1 stored nodes. Requires treeSize &gt;= 0.</summary>
    public static byte[] RootHash(IMerkleNodeReader reader, long treeSize)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var nodes = RangeNodes(treeSize);
        var root = MerkleHash.EmptyRoot.ToArray();
        if (nodes.Count == 0)
        {
            return root;
        }

        Span<byte> left = stackalloc byte[MerkleHash.Size];
        reader.ReadNode(nodes[^1], root);
        for (var i = nodes.Count - 2; i >= 0; i--)
        {
            reader.ReadNode(nodes[i], left);
            MerkleHash.Node(left, root, root);
        }

        return root;
    }

    /// <summary>
    /// The nodes proving that perfect subtree (level, index) is in the tree of size <paramref name="size"/>, with
    /// the subtree itself first. Requires the subtree to be complete: (index + 1)·2^level &lt;= size.
    /// </summary>
    private static ProofPlan PlanPath(long index, int level, long size)
    {
        // The fork is the highest ancestor of (level, index) that is still a complete subtree: above it the
        // path to the root leaves the perfect part of the tree. Its right sibling, if any, is incomplete (the
        // ephemeral node) and is rebuilt from the perfect subtrees covering [end, size).
        var inner = BitLength(index ^ (size >> level)) - 1;
        var fork = new NodeId(level + inner, index >> inner);
        long begin = fork.Begin, end = fork.End;

        var nodes = new List<NodeId>(1 + inner + 2 * 64) { new(level, index) };
        for (var node = new NodeId(level, index); node.Level < fork.Level; node = node.Parent)
        {
            nodes.Add(node.Sibling);
        }

        // Right of the fork: folded into one hash, so listed smallest (right-most) first.
        var rightStart = nodes.Count;
        AddRange(end, size, nodes);
        nodes.Reverse(rightStart, nodes.Count - rightStart);
        var rightEnd = nodes.Count;

        // Left of the fork: each is one proof entry, the nearest (smallest) first as the path climbs.
        AddRange(0, begin, nodes);
        nodes.Reverse(rightEnd, nodes.Count - rightEnd);

        return new ProofPlan([.. nodes], rightStart, rightEnd);
    }

    /// <summary>Appends the perfect subtrees covering leaves [begin, end), left to right.</summary>
    private static void AddRange(long begin, long end, List<NodeId> nodes)
    {
        while (begin < end)
        {
            // The biggest aligned subtree starting at begin that does not pass end.
            var alignment = begin == 0 ? 63 : BitOperations.TrailingZeroCount(begin);
            var fits = BitLength(end - begin) - 1;
            var level = Math.Min(alignment, fits);
            nodes.Add(new NodeId(level, begin >> level));
            begin += 1L << level;
        }
    }

    private static int BitLength(long value) => 64 - BitOperations.LeadingZeroCount((ulong)value);
}
