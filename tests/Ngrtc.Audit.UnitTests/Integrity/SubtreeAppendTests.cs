using Ngrtc.Audit.Integrity;
using Ngrtc.Audit.Service.Integrity;

namespace Ngrtc.Audit.UnitTests.Integrity;

/// <summary>Full verification appends a whole tile's subtree at once; the tree must be the one leaf appends give.</summary>
public class SubtreeAppendTests
{
    private static byte[] LeafHash(int i) => MerkleHash.Leaf(BitConverter.GetBytes(i));

    [Fact]
    public void appending_tile_subtrees_gives_the_tree_of_appending_their_leaves()
    {
        var byLeaf = new CompactMerkleTree();
        var bySubtree = new CompactMerkleTree();
        var leaves = Enumerable.Range(0, 256 * 9 + 17).Select(LeafHash).ToArray();
        for (var tile = 0; tile < 9; tile++)
        {
            var hashes = leaves.Skip(tile * 256).Take(256).SelectMany(h => h).ToArray();
            var root = new byte[32];
            MerkleTiles.PerfectRoot(hashes, 0, 256, root);
            root.ShouldBe(MerkleHash.Root(leaves.Skip(tile * 256).Take(256)));
            bySubtree.AppendSubtree(MerkleTiles.Height, root);
            foreach (var leaf in leaves.Skip(tile * 256).Take(256))
            {
                byLeaf.Append(leaf);
            }

            bySubtree.Size.ShouldBe(byLeaf.Size);
            bySubtree.RootHash().ShouldBe(byLeaf.RootHash());
        }

        // A clone goes on by leaves on its own; the original is untouched.
        var clone = bySubtree.Clone();
        foreach (var leaf in leaves.Skip(9 * 256))
        {
            clone.Append(leaf);
        }

        clone.RootHash().ShouldBe(MerkleHash.Root(leaves));
        bySubtree.Size.ShouldBe(9 * 256);
        bySubtree.Frontier().ShouldBe(byLeaf.Frontier());
    }

    [Fact]
    public void a_subtree_must_start_on_its_own_boundary()
    {
        var tree = new CompactMerkleTree();
        tree.Append(LeafHash(0));
        Should.Throw<InvalidOperationException>(() => tree.AppendSubtree(1, LeafHash(1)));
        Should.Throw<ArgumentException>(() => tree.AppendSubtree(0, new byte[31]));
        tree.AppendSubtree(0, LeafHash(1));
        tree.RootHash().ShouldBe(MerkleHash.Root([LeafHash(0), LeafHash(1)]));
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(3, 1)]
    [InlineData(4, 4)]
    [InlineData(128, 128)]
    [InlineData(0, 256)]
    public void a_perfect_root_from_a_tile_is_the_root_of_its_leaves(int first, int count)
    {
        var leaves = Enumerable.Range(0, 256).Select(LeafHash).ToArray();
        var tile = leaves.SelectMany(h => h).ToArray();
        var root = new byte[32];
        MerkleTiles.PerfectRoot(tile, first, count, root);
        root.ShouldBe(MerkleHash.Root(leaves.Skip(first).Take(count)));
        MerkleTiles.PerfectRoot(tile, first, count).ShouldBe(root);
    }
}
