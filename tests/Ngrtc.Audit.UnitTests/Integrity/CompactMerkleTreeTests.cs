using System.Security.Cryptography;
using Ngrtc.Audit.Integrity;
using static Ngrtc.Audit.UnitTests.Integrity.ReferenceMerkle;

namespace Ngrtc.Audit.UnitTests.Integrity;

public class CompactMerkleTreeTests
{
    private const int Count = 300;
    private static readonly byte[][] Leaves = LeafHashes(Count);

    [Fact]
    public void the_root_is_the_rfc_root_at_every_size_up_to_300()
    {
        var tree = new CompactMerkleTree();
        tree.RootHash().ShouldBe(SHA256.HashData([]));

        for (var size = 1; size <= Count; size++)
        {
            tree.Append(Leaves[size - 1]);

            tree.Size.ShouldBe(size);
            tree.RootHash().ShouldBe(Mth(Leaves, size), $"size {size}");
        }

        MerkleHash.Root(Leaves).ShouldBe(Mth(Leaves, Count));
        MerkleHash.Root([]).ShouldBe(MerkleHash.EmptyRoot.ToArray());
    }

    [Fact]
    public void a_tree_restored_from_its_frontier_at_any_size_goes_on_as_if_never_stopped()
    {
        var tree = new CompactMerkleTree();
        for (var size = 0; size <= Count; size++)
        {
            var restored = CompactMerkleTree.Restore(tree.Size, tree.Frontier());
            restored.RootHash().ShouldBe(tree.RootHash());
            foreach (var leaf in Leaves[size..])
            {
                restored.Append(leaf);
            }

            restored.RootHash().ShouldBe(Mth(Leaves, Count), $"restored at {size}");
            if (size < Count)
            {
                tree.Append(Leaves[size]);
            }
        }
    }

    [Fact]
    public void the_frontier_is_one_hash_per_set_bit_of_the_size_biggest_subtree_first()
    {
        var tree = new CompactMerkleTree();
        foreach (var leaf in Leaves[..13])
        {
            tree.Append(leaf);
        }

        // 13 = 8 + 4 + 1: leaves [0,8), [8,12), [12,13).
        B64(tree.Frontier()).ShouldBe(B64([Mth(Leaves, 0, 8), Mth(Leaves, 8, 12), Mth(Leaves, 12, 13)]));
        MerkleProofs.RangeNodes(13).ShouldBe([new NodeId(3, 0), new NodeId(2, 2), new NodeId(0, 12)]);
    }

    [Fact]
    public void restoring_refuses_a_frontier_that_does_not_fit_the_size()
    {
        var frontier = new[] { Leaves[0], Leaves[1] };

        Should.Throw<ArgumentException>(() => CompactMerkleTree.Restore(3, frontier[..1]));
        Should.Throw<ArgumentException>(() => CompactMerkleTree.Restore(4, frontier));
        Should.Throw<ArgumentException>(() => CompactMerkleTree.Restore(3, [Leaves[0], Leaves[1][..31]]));
        Should.Throw<ArgumentOutOfRangeException>(() => CompactMerkleTree.Restore(-1, []));
        Should.Throw<ArgumentException>(() => new CompactMerkleTree().Append(new byte[31]));
    }

    [Fact]
    public void appending_reports_every_perfect_subtree_it_completes_with_its_stored_hash()
    {
        var completed = new Dictionary<NodeId, byte[]>();
        var tree = new CompactMerkleTree();
        foreach (var leaf in Leaves)
        {
            tree.Append(leaf, (node, hash) => completed.Add(node, hash.ToArray()));
        }

        var reference = InMemoryMerkleTree.FromLeafHashes(Leaves);
        var perfectSubtrees = Enumerable.Range(0, 9).Sum(level => Count >> level);
        completed.Count.ShouldBe(perfectSubtrees);
        foreach (var (node, hash) in completed)
        {
            hash.ShouldBe(Mth(Leaves, (int)node.Begin, (int)node.End), node.ToString());
            var stored = new byte[32];
            reference.ReadNode(node, stored);
            stored.ShouldBe(hash);
        }
    }

    [Fact]
    public void a_store_of_the_completed_subtrees_serves_the_same_proofs_as_the_full_tree()
    {
        var store = new Dictionary<NodeId, byte[]>();
        var tree = new CompactMerkleTree();
        foreach (var leaf in Leaves)
        {
            tree.Append(leaf, (node, hash) => store[node] = hash.ToArray());
        }

        var reader = new DictionaryReader(store);
        MerkleProofs.RootHash(reader, Count).ShouldBe(tree.RootHash());
        B64(MerkleProofs.Inclusion(reader, 137, 251)).ShouldBe(B64(Path(137, Leaves, 251)));
        B64(MerkleProofs.Consistency(reader, 99, 251)).ShouldBe(B64(Proof(99, Leaves, 251)));
    }

    private sealed class DictionaryReader(Dictionary<NodeId, byte[]> nodes) : IMerkleNodeReader
    {
        public void ReadNode(NodeId node, Span<byte> hash) => nodes[node].CopyTo(hash);
    }
}
