using Ngrtc.Audit.Integrity;
using static Ngrtc.Audit.UnitTests.Integrity.ReferenceMerkle;

namespace Ngrtc.Audit.UnitTests.Integrity;

public class InclusionProofTests
{
    private static readonly byte[][] Leaves = LeafHashes(5000);
    private static readonly InMemoryMerkleTree Tree = InMemoryMerkleTree.FromLeafHashes(Leaves);

    public static TheoryData<int> SmallSizes => [.. Enumerable.Range(1, 64)];

    [Theory]
    [MemberData(nameof(SmallSizes))]
    public void every_leaf_of_every_small_tree_gets_the_rfc_path_and_it_verifies(int size)
    {
        var root = Mth(Leaves, size);
        Tree.RootHash(size).ShouldBe(root);

        for (var m = 0; m < size; m++)
        {
            var proof = Tree.InclusionProof(m, size);

            B64(proof).ShouldBe(B64(Path(m, Leaves, size)), $"PATH({m}, D[{size}])");
            ProofVerifier.InclusionLength(m, size).ShouldBe(proof.Length);
            ProofVerifier.VerifyInclusion(m, size, Leaves[m], proof, root).IsValid.ShouldBeTrue($"leaf {m} of {size}");
        }
    }

    [Fact]
    public void random_leaves_of_random_big_trees_get_the_rfc_path_and_it_verifies()
    {
        var random = new Random(9162);
        for (var i = 0; i < 40; i++)
        {
            var size = random.Next(65, Leaves.Length + 1);
            var m = random.Next(size);
            var root = Mth(Leaves, size);

            var proof = Tree.InclusionProof(m, size);

            Tree.RootHash(size).ShouldBe(root);
            B64(proof).ShouldBe(B64(Path(m, Leaves, size)), $"PATH({m}, D[{size}])");
            ProofVerifier.VerifyInclusion(m, size, Leaves[m], proof, root).IsValid.ShouldBeTrue();
        }
    }

    [Theory]
    [MemberData(nameof(SmallSizes))]
    public void every_tampered_inclusion_proof_fails(int size)
    {
        var root = Mth(Leaves, size);
        for (var m = 0; m < size; m++)
        {
            var proof = Tree.InclusionProof(m, size);
            ProofVerification Check(long index, long treeSize, byte[] leaf, IReadOnlyList<byte[]> path, byte[] against) =>
                ProofVerifier.VerifyInclusion(index, treeSize, leaf, path, against);

            for (var i = 0; i < proof.Length; i++)
            {
                Check(m, size, Leaves[m], With(proof, i, Flipped(proof[i], i)), root).Failure.ShouldBe(ProofFailure.RootMismatch);
                Check(m, size, Leaves[m], [.. proof[..i], .. proof[(i + 1)..]], root).Failure.ShouldBe(ProofFailure.WrongProofLength);
                Check(m, size, Leaves[m], [.. proof[..i], proof[i], .. proof[i..]], root).Failure.ShouldBe(ProofFailure.WrongProofLength);
            }

            Check(m, size, Leaves[m], [.. proof, root], root).Failure.ShouldBe(ProofFailure.WrongProofLength);
            Check(m, size, Leaves[m], [root, .. proof], root).Failure.ShouldBe(ProofFailure.WrongProofLength);
            Check(m, size, Flipped(Leaves[m], 200), proof, root).Failure.ShouldBe(ProofFailure.RootMismatch);
            Check(m, size, Leaves[(m + 1) % Leaves.Length], proof, root).Failure.ShouldBe(ProofFailure.RootMismatch);

            var mismatch = Check(m, size, Leaves[m], proof, Flipped(root, 7));
            mismatch.Failure.ShouldBe(ProofFailure.RootMismatch);
            mismatch.CalculatedRoot.ShouldBe(root);
            mismatch.ExpectedRoot.ShouldBe(Flipped(root, 7));

            // Another index under the same root takes other turns, so it always fails.
            foreach (var other in new long[] { m - 1, m + 1, m ^ 2, m * 2L + 1, -1, size })
            {
                if (other != m)
                {
                    Check(other, size, Leaves[m], proof, root).IsValid.ShouldBeFalse($"leaf {m} of {size} claimed as {other}");
                }
            }

            // Another size is accepted exactly when its path takes the same turns (see the test below).
            foreach (var otherSize in new long[] { size - 1, size + 1, size * 2L, size / 2, 0 })
            {
                Check(m, otherSize, Leaves[m], proof, root).IsValid
                    .ShouldBe(otherSize != size && InclusionShape(m, otherSize) == InclusionShape(m, size), $"leaf {m} of {size} claimed in {otherSize}");
            }
        }
    }

    [Fact]
    public void a_proof_binds_a_leaf_to_a_root_and_the_signed_tree_head_binds_the_root_to_its_size()
    {
        // As in RFC 9162 and transparency-dev's verifier: PATH(0, D[3]) and PATH(0, D[4]) take the same turns, so a
        // size-3 proof also "verifies" at size 4 under the size-3 root. Only the signed head ties root and size.
        var root3 = Mth(Leaves, 3);
        var proof = Tree.InclusionProof(0, 3);

        ProofVerifier.VerifyInclusion(0, 4, Leaves[0], proof, root3).IsValid.ShouldBeTrue();
        ProofVerifier.VerifyInclusion(0, 4, Leaves[0], proof, Mth(Leaves, 4)).IsValid.ShouldBeFalse();
    }

    [Theory]
    [InlineData(0, 0, ProofFailure.LeafIndexOutOfRange)]
    [InlineData(5, 5, ProofFailure.LeafIndexOutOfRange)]
    [InlineData(6, 5, ProofFailure.LeafIndexOutOfRange)]
    [InlineData(-1, 5, ProofFailure.LeafIndexOutOfRange)]
    [InlineData(0, -1, ProofFailure.InvalidTreeSize)]
    [InlineData(long.MaxValue, long.MaxValue, ProofFailure.LeafIndexOutOfRange)]
    public void indexes_outside_the_tree_fail_without_throwing(long index, long size, ProofFailure failure)
    {
        ProofVerifier.VerifyInclusion(index, size, Leaves[0], [], Mth(Leaves, 1)).Failure.ShouldBe(failure);
    }

    [Fact]
    public void hashes_of_the_wrong_length_fail_as_malformed()
    {
        var proof = Tree.InclusionProof(1, 3);
        var root = Mth(Leaves, 3);

        ProofVerifier.VerifyInclusion(1, 3, Leaves[1][..31], proof, root).Failure.ShouldBe(ProofFailure.MalformedHash);
        ProofVerifier.VerifyInclusion(1, 3, Leaves[1], proof, [.. root, 0]).Failure.ShouldBe(ProofFailure.MalformedHash);
        ProofVerifier.VerifyInclusion(1, 3, Leaves[1], proof, []).Failure.ShouldBe(ProofFailure.MalformedHash);
        ProofVerifier.VerifyInclusion(1, 3, Leaves[1], With(proof, 0, []), root).Failure.ShouldBe(ProofFailure.MalformedHash);
        ProofVerifier.VerifyInclusion(1, 3, Leaves[1], With(proof, 1, null!), root).Failure.ShouldBe(ProofFailure.MalformedHash);
    }

    [Fact]
    public void a_one_leaf_tree_needs_no_proof_and_takes_none()
    {
        ProofVerifier.VerifyInclusion(0, 1, Leaves[0], null, Leaves[0]).IsValid.ShouldBeTrue();
        ProofVerifier.VerifyInclusion(0, 1, Leaves[0], [Leaves[1]], Leaves[0]).Failure.ShouldBe(ProofFailure.WrongProofLength);
        Tree.InclusionProof(0, 1).ShouldBeEmpty();
    }

    [Fact]
    public void generation_refuses_what_the_rfc_does_not_define()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => MerkleProofs.PlanInclusion(3, 3));
        Should.Throw<ArgumentOutOfRangeException>(() => MerkleProofs.PlanInclusion(-1, 3));
        Should.Throw<ArgumentOutOfRangeException>(() => Tree.InclusionProof(0, Leaves.Length + 1));
        Should.Throw<ArgumentOutOfRangeException>(() => Tree.ReadNode(new NodeId(0, Leaves.Length), new byte[32]));
        Should.Throw<ArgumentOutOfRangeException>(() => Tree.ReadNode(new NodeId(3, Leaves.Length / 8), new byte[32]));
    }

    [Fact]
    public void a_plan_lists_the_nodes_a_store_fetches_in_one_batch()
    {
        // Leaf 5 of 13: leaf 4, subtree [6,8), subtree [0,4), then [8,13) folded from [12,13) and [8,12).
        var plan = MerkleProofs.PlanInclusion(5, 13);

        plan.Nodes.ShouldBe([new NodeId(0, 4), new NodeId(1, 3), new NodeId(2, 0), new NodeId(0, 12), new NodeId(2, 2)]);
        plan.ProofLength.ShouldBe(4);
        var hashes = plan.Nodes.Select(n => Mth(Leaves, (int)n.Begin, (int)n.End)).ToList();
        B64(plan.Rehash(hashes)).ShouldBe(B64(Path(5, Leaves, 13)));
        Should.Throw<ArgumentException>(() => plan.Rehash(hashes.Take(4).ToList()));
        Should.Throw<ArgumentException>(() => plan.Rehash([.. hashes[..4], new byte[31]]));
    }
}
