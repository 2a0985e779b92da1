using System.Security.Cryptography;
using Ngrtc.Audit.Integrity;
using static Ngrtc.Audit.UnitTests.Integrity.ReferenceMerkle;

namespace Ngrtc.Audit.UnitTests.Integrity;

public sealed class TreeHeadChainTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
    private static readonly byte[][] Leaves = LeafHashes(40);
    private static readonly InMemoryMerkleTree Tree = InMemoryMerkleTree.FromLeafHashes(Leaves);

    private readonly ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly TreeHeadSigner signer;
    private readonly TreeHeadVerifier verifier;

    public TreeHeadChainTests()
    {
        signer = new TreeHeadSigner(key, "k1");
        verifier = TreeHeadVerifier.FromKeys([KeyValuePair.Create("k1", key)]);
    }

    public void Dispose() => key.Dispose();

    /// <summary>Heads as the sealer signs them: one per size, each naming the one before.</summary>
    private List<string> Chain(params long[] sizes)
    {
        var heads = new List<string>();
        byte[]? previous = null;
        for (var i = 0; i < sizes.Length; i++)
        {
            var signed = signer.Sign("op-1", sizes[i], Tree.RootHash(sizes[i]), Start.AddSeconds(i), previous);
            heads.Add(signed.Jws);
            previous = signed.Hash();
        }

        return heads;
    }

    private static IReadOnlyList<byte[]>? Proofs(long size1, long size2) => Tree.ConsistencyProof(size1, size2);

    [Fact]
    public void a_sealed_chain_verifies_with_and_without_consistency_proofs()
    {
        var heads = Chain(0, 3, 3, 8, 21, 40, 40);

        var plain = TreeHeadChain.Verify(heads, verifier);
        var proven = TreeHeadChain.Verify(heads, verifier, consistency: Proofs);

        plain.IsValid.ShouldBeTrue(plain.Reason);
        proven.IsValid.ShouldBeTrue(proven.Reason);
        proven.FailedAt.ShouldBe(-1);
        proven.Heads.Select(h => h.TreeSize).ShouldBe([0, 3, 3, 8, 21, 40, 40]);
    }

    [Fact]
    public void a_window_of_the_chain_verifies_from_the_hash_of_the_head_before_it()
    {
        var heads = Chain(1, 2, 5, 9);

        TreeHeadChain.Verify(heads[2..], verifier, TreeHeadChain.HashOf(heads[1])).IsValid.ShouldBeTrue();
        TreeHeadChain.Verify(heads[2..], verifier).Failure.ShouldBe(ChainFailure.BrokenLink);
        TreeHeadChain.Verify(heads[2..], verifier, TreeHeadChain.HashOf(heads[0])).Failure.ShouldBe(ChainFailure.BrokenLink);
    }

    [Fact]
    public void replacing_a_head_with_an_older_one_breaks_the_chain_where_it_happened()
    {
        var heads = Chain(1, 2, 5, 9, 12);
        heads[3] = heads[1];

        var check = TreeHeadChain.Verify(heads, verifier);

        check.Failure.ShouldBe(ChainFailure.BrokenLink);
        check.FailedAt.ShouldBe(3);
        check.Heads.Count.ShouldBe(3);
    }

    [Fact]
    public void dropping_or_swapping_heads_breaks_the_chain()
    {
        var heads = Chain(1, 2, 5, 9, 12);

        TreeHeadChain.Verify([heads[0], heads[1], heads[3], heads[4]], verifier).FailedAt.ShouldBe(2);
        TreeHeadChain.Verify([heads[0], heads[2], heads[1], heads[3]], verifier).FailedAt.ShouldBe(1);
        TreeHeadChain.Verify(heads[1..], verifier).FailedAt.ShouldBe(0);
    }

    [Fact]
    public void a_forged_head_fails_on_its_signature()
    {
        var heads = Chain(1, 2, 5);
        using var forger = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var parts = heads[1].Split('.');
        heads[1] = $"{parts[0]}.{parts[1]}.{new TreeHeadSigner(forger, "k1").Sign("op-1", 2, Tree.RootHash(2), Start, null).Jws.Split('.')[2]}";

        var check = TreeHeadChain.Verify(heads, verifier);

        check.Failure.ShouldBe(ChainFailure.BadHead);
        check.FailedAt.ShouldBe(1);
        check.Reason.ShouldContain("signature");
    }

    [Fact]
    public void a_shrinking_tree_a_changed_root_and_a_tenant_switch_are_named()
    {
        var shrink = signer.Sign("op-1", 5, Tree.RootHash(5), Start, null);
        var shrunk = signer.Sign("op-1", 4, Tree.RootHash(4), Start, shrink.Hash());
        var changed = signer.Sign("op-1", 5, Tree.RootHash(6), Start, shrink.Hash());
        var other = signer.Sign("op-2", 6, Tree.RootHash(6), Start, shrink.Hash());

        TreeHeadChain.Verify([shrink.Jws, shrunk.Jws], verifier).Failure.ShouldBe(ChainFailure.TreeShrank);
        TreeHeadChain.Verify([shrink.Jws, changed.Jws], verifier).Failure.ShouldBe(ChainFailure.RootChanged);
        TreeHeadChain.Verify([shrink.Jws, other.Jws], verifier).Failure.ShouldBe(ChainFailure.TenantChanged);
    }

    [Fact]
    public void a_head_dated_before_the_one_it_follows_is_named()
    {
        var first = signer.Sign("op-1", 5, Tree.RootHash(5), Start, null);
        var same = signer.Sign("op-1", 8, Tree.RootHash(8), Start, first.Hash());
        var earlier = signer.Sign("op-1", 8, Tree.RootHash(8), Start.AddMilliseconds(-1), first.Hash());

        TreeHeadChain.Verify([first.Jws, same.Jws], verifier, consistency: Proofs).IsValid.ShouldBeTrue();
        var check = TreeHeadChain.Verify([first.Jws, earlier.Jws], verifier, consistency: Proofs);
        check.Failure.ShouldBe(ChainFailure.TimeWentBack);
        check.FailedAt.ShouldBe(1);
    }

    [Fact]
    public void a_rewritten_history_fails_the_consistency_proofs()
    {
        // A signed, well-linked chain whose second tree does not extend the first.
        var first = signer.Sign("op-1", 5, Tree.RootHash(5), Start, null);
        var rewritten = InMemoryMerkleTree.FromLeafHashes([Leaves[1], Leaves[0], .. Leaves[2..9]]);
        var second = signer.Sign("op-1", 9, rewritten.RootHash(9), Start, first.Hash());

        TreeHeadChain.Verify([first.Jws, second.Jws], verifier).IsValid.ShouldBeTrue();
        var check = TreeHeadChain.Verify([first.Jws, second.Jws], verifier, consistency: (s1, s2) => rewritten.ConsistencyProof(s1, s2));
        check.Failure.ShouldBe(ChainFailure.Inconsistent);
        check.FailedAt.ShouldBe(1);
        TreeHeadChain.Verify([first.Jws, second.Jws], verifier, consistency: (_, _) => null).Failure.ShouldBe(ChainFailure.Inconsistent);
    }
}
