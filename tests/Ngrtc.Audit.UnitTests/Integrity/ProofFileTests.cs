using System.Text.Json;
using Ngrtc.Audit.Integrity;
using static Ngrtc.Audit.UnitTests.Integrity.ReferenceMerkle;

namespace Ngrtc.Audit.UnitTests.Integrity;

public class ProofFileTests
{
    private static readonly byte[][] Leaves = LeafHashes(20);
    private static readonly InMemoryMerkleTree Tree = InMemoryMerkleTree.FromLeafHashes(Leaves);

    private static string InclusionJson(long leafIdx, long treeSize, byte[] root, byte[] leafHash, IEnumerable<byte[]> proof) =>
        JsonSerializer.Serialize(new
        {
            leafIdx,
            treeSize,
            root = Convert.ToBase64String(root),
            leafHash = Convert.ToBase64String(leafHash),
            proof = proof.Select(Convert.ToBase64String),
        });

    private static string ConsistencyJson(long size1, long size2, byte[] root1, byte[] root2, IEnumerable<byte[]> proof) =>
        JsonSerializer.Serialize(new
        {
            size1,
            size2,
            root1 = Convert.ToBase64String(root1),
            root2 = Convert.ToBase64String(root2),
            proof = proof.Select(Convert.ToBase64String),
        });

    [Fact]
    public void a_served_inclusion_proof_verifies_and_a_tampered_one_does_not()
    {
        var proof = Tree.InclusionProof(6, 19);

        var valid = ProofFile.Verify(InclusionJson(6, 19, Tree.RootHash(19), Leaves[6], proof));
        var tampered = ProofFile.Verify(InclusionJson(6, 19, Tree.RootHash(19), Leaves[7], proof));

        valid.ShouldBe(new ProofCheck(true, ProofKind.Inclusion, ProofFailure.None, "The proof is valid."));
        tampered.Valid.ShouldBeFalse();
        tampered.Kind.ShouldBe(ProofKind.Inclusion);
        tampered.Failure.ShouldBe(ProofFailure.RootMismatch);
        tampered.Reason.ShouldContain("expected");
    }

    [Fact]
    public void a_served_consistency_proof_verifies_and_a_tampered_one_does_not()
    {
        var proof = Tree.ConsistencyProof(7, 19);

        var valid = ProofFile.Verify(ConsistencyJson(7, 19, Tree.RootHash(7), Tree.RootHash(19), proof));
        var tampered = ProofFile.Verify(ConsistencyJson(7, 19, Tree.RootHash(8), Tree.RootHash(19), proof));
        var shortened = ProofFile.Verify(ConsistencyJson(7, 19, Tree.RootHash(7), Tree.RootHash(19), proof[1..]));

        valid.Valid.ShouldBeTrue(valid.Reason);
        valid.Kind.ShouldBe(ProofKind.Consistency);
        tampered.Failure.ShouldBe(ProofFailure.FirstRootMismatch);
        shortened.Failure.ShouldBe(ProofFailure.WrongProofLength);
    }

    [Fact]
    public void a_missing_or_null_proof_is_an_empty_proof()
    {
        var root = Convert.ToBase64String(Leaves[0]);

        ProofFile.Verify($$"""{"leafIdx":0,"treeSize":1,"root":"{{root}}","leafHash":"{{root}}"}""").Valid.ShouldBeTrue();
        ProofFile.Verify($$"""{"leafIdx":0,"treeSize":1,"root":"{{root}}","leafHash":"{{root}}","proof":null}""").Valid.ShouldBeTrue();
        ProofFile.Verify($$"""{"size1":1,"size2":1,"root1":"{{root}}","root2":"{{root}}","proof":[]}""").Valid.ShouldBeTrue();
    }

    [Theory]
    [InlineData("", ProofKind.Unknown)]
    [InlineData("not json", ProofKind.Unknown)]
    [InlineData("[]", ProofKind.Unknown)]
    [InlineData("{}", ProofKind.Unknown)]
    [InlineData("""{"desc":"nothing"}""", ProofKind.Unknown)]
    [InlineData("""{"leafIdx":0,"size1":1}""", ProofKind.Unknown)]
    [InlineData("""{"leafIdx":0,"treeSize":1,"root":"AAAA"}""", ProofKind.Inclusion)]
    [InlineData("""{"leafIdx":"0","treeSize":1,"root":"","leafHash":""}""", ProofKind.Inclusion)]
    [InlineData("""{"leafIdx":0.5,"treeSize":1,"root":"","leafHash":""}""", ProofKind.Inclusion)]
    [InlineData("""{"leafIdx":0,"treeSize":1e30,"root":"","leafHash":""}""", ProofKind.Inclusion)]
    [InlineData("""{"leafIdx":0,"treeSize":1,"root":"%%%","leafHash":""}""", ProofKind.Inclusion)]
    [InlineData("""{"leafIdx":0,"treeSize":1,"root":"","leafHash":"","proof":"AAAA"}""", ProofKind.Inclusion)]
    [InlineData("""{"leafIdx":0,"treeSize":1,"root":"","leafHash":"","proof":[1]}""", ProofKind.Inclusion)]
    [InlineData("""{"leafIdx":0,"leafIdx":1,"treeSize":1,"root":"","leafHash":""}""", ProofKind.Unknown)]
    [InlineData("""{"size1":1,"size2":2,"root1":"","root2":null}""", ProofKind.Consistency)]
    [InlineData("""{"size1":1,"size2":2,"root1":""}""", ProofKind.Consistency)]
    public void unreadable_files_are_refused_with_a_reason_not_an_exception(string json, ProofKind kind)
    {
        var check = ProofFile.Verify(json);

        check.Valid.ShouldBeFalse();
        check.Kind.ShouldBe(kind);
        check.Failure.ShouldBe(ProofFailure.MalformedInput);
        check.Reason.ShouldNotBeNullOrWhiteSpace();
    }

    [Fact]
    public void sizes_the_rfc_does_not_define_are_refused_with_their_reason()
    {
        var root = Convert.ToBase64String(Tree.RootHash(5));

        ProofFile.Verify($$"""{"leafIdx":5,"treeSize":5,"root":"{{root}}","leafHash":"{{root}}"}""").Failure.ShouldBe(ProofFailure.LeafIndexOutOfRange);
        ProofFile.Verify($$"""{"leafIdx":0,"treeSize":-5,"root":"{{root}}","leafHash":"{{root}}"}""").Failure.ShouldBe(ProofFailure.InvalidTreeSize);
        ProofFile.Verify($$"""{"size1":6,"size2":5,"root1":"{{root}}","root2":"{{root}}"}""").Failure.ShouldBe(ProofFailure.SizesOutOfOrder);
        ProofFile.Verify($$"""{"size1":3,"size2":5,"root1":"","root2":"{{root}}"}""").Failure.ShouldBe(ProofFailure.MalformedHash);
    }
}
