using System.Numerics;
using Ngrtc.Audit.Integrity;
using static Ngrtc.Audit.UnitTests.Integrity.ReferenceMerkle;

namespace Ngrtc.Audit.UnitTests.Integrity;

public class ConsistencyProofTests
{
    private static readonly byte[][] Leaves = LeafHashes(5000);
    private static readonly InMemoryMerkleTree Tree = InMemoryMerkleTree.FromLeafHashes(Leaves);

    public static TheoryData<int> SecondSizes => [.. Enumerable.Range(0, 65)];

    [Theory]
    [MemberData(nameof(SecondSizes))]
    public void every_pair_of_small_sizes_gets_the_rfc_proof_and_it_verifies(int size2)
    {
        var root2 = Mth(Leaves, size2);
        for (var size1 = 0; size1 <= size2; size1++)
        {
            var root1 = Mth(Leaves, size1);

            var proof = Tree.ConsistencyProof(size1, size2);

            B64(proof).ShouldBe(size1 == 0 || size1 == size2 ? [] : B64(Proof(size1, Leaves, size2)), $"PROOF({size1}, D[{size2}])");
            if (size1 > 0 && size1 < size2)
            {
                ProofVerifier.ConsistencyLength(size1, size2).ShouldBe(proof.Length);
            }

            ProofVerifier.VerifyConsistency(size1, size2, root1, root2, proof).IsValid.ShouldBeTrue($"{size1} → {size2}");
        }
    }

    [Fact]
    public void random_pairs_of_big_sizes_get_the_rfc_proof_and_it_verifies()
    {
        var random = new Random(6962);
        for (var i = 0; i < 40; i++)
        {
            var size2 = random.Next(65, Leaves.Length + 1);
            var size1 = random.Next(1, size2);

            var proof = Tree.ConsistencyProof(size1, size2);

            B64(proof).ShouldBe(B64(Proof(size1, Leaves, size2)), $"PROOF({size1}, D[{size2}])");
            ProofVerifier.VerifyConsistency(size1, size2, Mth(Leaves, size1), Mth(Leaves, size2), proof).IsValid.ShouldBeTrue();
        }
    }

    [Theory]
    [MemberData(nameof(SecondSizes))]
    public void every_tampered_consistency_proof_fails(int size2)
    {
        var root2 = Mth(Leaves, size2);
        for (var size1 = 1; size1 < size2; size1++)
        {
            var root1 = Mth(Leaves, size1);
            var proof = Tree.ConsistencyProof(size1, size2);
            ProofVerification Check(long s1, long s2, byte[] r1, byte[] r2, IReadOnlyList<byte[]> p) => ProofVerifier.VerifyConsistency(s1, s2, r1, r2, p);

            for (var i = 0; i < proof.Length; i++)
            {
                Check(size1, size2, root1, root2, With(proof, i, Flipped(proof[i], i))).IsValid.ShouldBeFalse($"{size1} → {size2}, entry {i} flipped");
                Check(size1, size2, root1, root2, [.. proof[..i], .. proof[(i + 1)..]]).Failure.ShouldBe(ProofFailure.WrongProofLength);
                Check(size1, size2, root1, root2, [.. proof[..i], proof[i], .. proof[i..]]).Failure.ShouldBe(ProofFailure.WrongProofLength);
            }

            Check(size1, size2, root1, root2, [.. proof, root2]).Failure.ShouldBe(ProofFailure.WrongProofLength);
            Check(size1, size2, root1, root2, [root1, .. proof]).Failure.ShouldBe(ProofFailure.WrongProofLength);
            // When size1 is a power of two, root1 is the proof's seed (RFC 9162 §2.1.4.2 step 2): a wrong root1 then
            // leads to a wrong second root instead.
            Check(size1, size2, Flipped(root1, 9), root2, proof).Failure
                .ShouldBe(BitOperations.IsPow2(size1) ? ProofFailure.SecondRootMismatch : ProofFailure.FirstRootMismatch);
            Check(size1, size2, root1, Flipped(root2, 9), proof).Failure.ShouldBe(ProofFailure.SecondRootMismatch);
            Check(size1, size2, root2, root1, proof).IsValid.ShouldBeFalse();
            Check(size2, size1, root2, root1, proof).Failure.ShouldBe(ProofFailure.SizesOutOfOrder);
            Check(size1, size2, root1, root1, proof).IsValid.ShouldBeFalse();

            // Other sizes are accepted exactly when the proof takes the same turns for them.
            foreach (var (s1, s2) in new (long, long)[] { (size1 - 1, size2), (size1 + 1, size2), (size1, size2 - 1), (size1, size2 + 1), (size1 * 2L, size2 * 2L), (size1 / 2, size2) })
            {
                if ((s1, s2) != (size1, size2) && s1 > 0 && s1 < s2)
                {
                    Check(s1, s2, root1, root2, proof).IsValid
                        .ShouldBe(ConsistencyShape(s1, s2) == ConsistencyShape(size1, size2), $"{size1} → {size2} claimed as {s1} → {s2}");
                }
            }
        }
    }

    [Fact]
    public void equal_sizes_need_an_empty_proof_and_equal_roots()
    {
        var root = Mth(Leaves, 7);

        ProofVerifier.VerifyConsistency(7, 7, root, root, []).IsValid.ShouldBeTrue();
        ProofVerifier.VerifyConsistency(7, 7, root, root, null).IsValid.ShouldBeTrue();
        ProofVerifier.VerifyConsistency(7, 7, root, root, [root]).Failure.ShouldBe(ProofFailure.WrongProofLength);
        ProofVerifier.VerifyConsistency(7, 7, root, Mth(Leaves, 8), []).Failure.ShouldBe(ProofFailure.SecondRootMismatch);
    }

    [Fact]
    public void every_tree_extends_the_empty_tree_and_only_the_empty_root_is_its_root()
    {
        var empty = Mth(Leaves, 0);
        var root = Mth(Leaves, 9);

        ProofVerifier.VerifyConsistency(0, 9, empty, root, []).IsValid.ShouldBeTrue();
        ProofVerifier.VerifyConsistency(0, 0, empty, empty, []).IsValid.ShouldBeTrue();
        ProofVerifier.VerifyConsistency(0, 9, empty, root, [root]).Failure.ShouldBe(ProofFailure.WrongProofLength);
        ProofVerifier.VerifyConsistency(0, 9, root, root, []).Failure.ShouldBe(ProofFailure.FirstRootMismatch);
    }

    [Fact]
    public void bad_sizes_and_hashes_fail_without_throwing()
    {
        var root1 = Mth(Leaves, 3);
        var root2 = Mth(Leaves, 8);
        var proof = Tree.ConsistencyProof(3, 8);

        ProofVerifier.VerifyConsistency(-1, 8, root1, root2, proof).Failure.ShouldBe(ProofFailure.InvalidTreeSize);
        ProofVerifier.VerifyConsistency(3, -8, root1, root2, proof).Failure.ShouldBe(ProofFailure.InvalidTreeSize);
        ProofVerifier.VerifyConsistency(9, 8, root1, root2, proof).Failure.ShouldBe(ProofFailure.SizesOutOfOrder);
        ProofVerifier.VerifyConsistency(3, 8, root1[..16], root2, proof).Failure.ShouldBe(ProofFailure.MalformedHash);
        ProofVerifier.VerifyConsistency(3, 8, root1, [], proof).Failure.ShouldBe(ProofFailure.MalformedHash);
        ProofVerifier.VerifyConsistency(3, 8, root1, root2, With(proof, 0, [.. proof[0], 1])).Failure.ShouldBe(ProofFailure.MalformedHash);
        ProofVerifier.VerifyConsistency(3, 8, root1, root2, []).Failure.ShouldBe(ProofFailure.WrongProofLength);
        ProofVerifier.VerifyConsistency(long.MaxValue - 1, long.MaxValue, root1, root2, proof).Failure.ShouldBe(ProofFailure.WrongProofLength);
    }

    [Fact]
    public void generation_refuses_sizes_out_of_order()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => MerkleProofs.PlanConsistency(4, 3));
        Should.Throw<ArgumentOutOfRangeException>(() => MerkleProofs.PlanConsistency(-1, 3));
        Should.Throw<ArgumentOutOfRangeException>(() => Tree.ConsistencyProof(1, Leaves.Length + 1));
    }
}
