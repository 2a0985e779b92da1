namespace Ngrtc.Audit.Integrity;

/// <summary>
/// Which stored nodes make up a proof and how to turn their hashes into the proof (the idea of
/// transparency-dev/merkle's <c>proof.Nodes</c>). A proof entry is either one perfect subtree or, once per
/// proof at most, an "ephemeral" node: the root of the incomplete subtree at the right edge of the tree, which
/// is the hash of a run of perfect subtrees. A caller fetches <see cref="Nodes"/> in one batch and calls
/// <see cref="Rehash(IReadOnlyList{byte[]})"/>.
/// </summary>
public sealed class ProofPlan
{
    private readonly NodeId[] nodes;

    // [rehashBegin, rehashEnd) of `nodes` fold into the ephemeral node, listed right-most (smallest) first.
    private readonly int rehashBegin;
    private readonly int rehashEnd;

    internal ProofPlan(NodeId[] nodes, int rehashBegin, int rehashEnd)
    {
        this.nodes = nodes;
        this.rehashBegin = rehashBegin;
        this.rehashEnd = Math.Max(rehashBegin, rehashEnd);
    }

    internal static ProofPlan Empty { get; } = new([], 0, 0);

    /// <summary>The perfect subtrees whose hashes the proof is made of, in the order <see cref="Rehash(IReadOnlyList{byte[]})"/> expects.</summary>
    public IReadOnlyList<NodeId> Nodes => nodes;

    /// <summary>How many hashes the finished proof has.</summary>
    public int ProofLength => rehashEnd - rehashBegin > 1 ? nodes.Length - (rehashEnd - rehashBegin - 1) : nodes.Length;

    /// <summary>
    /// Builds the proof from the hashes of <see cref="Nodes"/> (same order, 32 bytes each). The input list is not
    /// modified; entries that need no rehashing are returned as the same arrays.
    /// </summary>
    public byte[][] Rehash(IReadOnlyList<byte[]> hashes)
    {
        ArgumentNullException.ThrowIfNull(hashes);
        if (hashes.Count != nodes.Length)
        {
            throw new ArgumentException($"Expected {nodes.Length} node hashes, got {hashes.Count}.", nameof(hashes));
        }

        var proof = new byte[ProofLength][];
        var at = 0;
        for (var i = 0; i < hashes.Count; i++)
        {
            if (!MerkleHash.IsHash(hashes[i]))
            {
                throw new ArgumentException($"The hash of node {nodes[i]} is not {MerkleHash.Size} bytes.", nameof(hashes));
            }

            if (i == rehashBegin && rehashEnd - rehashBegin > 1)
            {
                var ephemeral = (byte[])hashes[i].Clone();
                for (i++; i < rehashEnd; i++)
                {
                    MerkleHash.Node(hashes[i], ephemeral, ephemeral);
                }

                i--;
                proof[at++] = ephemeral;
            }
            else
            {
                proof[at++] = hashes[i];
            }
        }

        return proof;
    }

    /// <summary>Reads <see cref="Nodes"/> from <paramref name="reader"/> and builds the proof.</summary>
    public byte[][] Rehash(IMerkleNodeReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var hashes = new byte[nodes.Length][];
        for (var i = 0; i < nodes.Length; i++)
        {
            hashes[i] = new byte[MerkleHash.Size];
            reader.ReadNode(nodes[i], hashes[i]);
        }

        return Rehash(hashes);
    }

    /// <summary>A copy without the first node (the seed node a proof starts from but does not contain).</summary>
    internal ProofPlan SkipFirst()
    {
        var rest = nodes[1..];
        return rehashBegin < rehashEnd
            ? new ProofPlan(rest, rehashBegin - 1, rehashEnd - 1)
            : new ProofPlan(rest, 0, 0);
    }
}
