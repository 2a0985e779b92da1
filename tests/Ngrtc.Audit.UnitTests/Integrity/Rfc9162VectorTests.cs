using System.Text.Json;
using Ngrtc.Audit.Integrity;

namespace Ngrtc.Audit.UnitTests.Integrity;

/// <summary>
/// transparency-dev/merkle's inclusion vectors (../shared/testdata/rfc9162/inclusion, read in place): each
/// happy path verifies, every tampered variant is refused. Each file says itself whether it must fail
/// (<c>wantErr</c>); the tests also pin which files are the valid ones, so a vector that flips is noticed.
/// </summary>
public class Rfc9162VectorTests
{
    private static string InclusionFolder => Path.Combine(RepositoryPaths.Rfc9162Vectors, "inclusion");

    public static TheoryData<string> VectorFiles =>
    [
        .. Directory.EnumerateFiles(InclusionFolder, "*.json", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(InclusionFolder, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal),
    ];

    private static JsonElement Read(string relative)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(InclusionFolder, relative)));
        return document.RootElement.Clone();
    }

    [Theory]
    [MemberData(nameof(VectorFiles))]
    public void each_vector_verifies_exactly_when_it_is_not_tampered(string file)
    {
        var json = File.ReadAllText(Path.Combine(InclusionFolder, file));
        var wantErr = Read(file).GetProperty("wantErr").GetBoolean();

        var check = ProofFile.Verify(json);

        check.Kind.ShouldBe(ProofKind.Inclusion);
        check.Valid.ShouldBe(!wantErr, check.Reason);
        if (wantErr)
        {
            check.Failure.ShouldNotBe(ProofFailure.None);
            check.Reason.ShouldNotBeNullOrWhiteSpace();
        }
    }

    [Fact]
    public void the_valid_vectors_are_the_happy_paths_and_the_single_entry_match()
    {
        // The README says only happy-path.json verifies; single-entry/matching-root-and-leaf.json is valid too
        // (a one-leaf tree's root is its leaf hash) and says so with wantErr false.
        var valid = VectorFiles.Select(row => row.Data).Where(f => !Read(f).GetProperty("wantErr").GetBoolean()).ToList();

        valid.ShouldBe(["0/happy-path.json", "1/happy-path.json", "2/happy-path.json", "3/happy-path.json", "4/happy-path.json", "single-entry/matching-root-and-leaf.json"], ignoreOrder: true);
        VectorFiles.Count.ShouldBeGreaterThan(90);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1")]
    [InlineData("2")]
    [InlineData("3")]
    [InlineData("4")]
    public void the_happy_path_proofs_are_what_the_library_generates_for_the_rfc6962_tree(string folder)
    {
        var vector = Read($"{folder}/happy-path.json");
        var leafIndex = vector.GetProperty("leafIdx").GetInt64();
        var treeSize = vector.GetProperty("treeSize").GetInt64();
        var tree = InMemoryMerkleTree.FromLeafHashes(ReferenceMerkle.Rfc6962Leaves.Select(ReferenceMerkle.LeafHash));
        var published = vector.GetProperty("proof").ValueKind == JsonValueKind.Null
            ? []
            : vector.GetProperty("proof").EnumerateArray().Select(p => p.GetString()).ToArray();

        tree.InclusionProof(leafIndex, treeSize).Select(Convert.ToBase64String).ToArray().ShouldBe(published);
        Convert.ToBase64String(tree.RootHash(treeSize)).ShouldBe(vector.GetProperty("root").GetString());
        Convert.ToBase64String(MerkleHash.Leaf(ReferenceMerkle.Rfc6962Leaves[leafIndex])).ShouldBe(vector.GetProperty("leafHash").GetString());
    }

    [Fact]
    public void the_roots_of_the_rfc6962_tree_are_the_published_ones()
    {
        string[] roots =
        [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
            "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
            "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
            "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
        ];
        var tree = new CompactMerkleTree();

        Convert.ToHexStringLower(tree.RootHash()).ShouldBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        for (var i = 0; i < roots.Length; i++)
        {
            tree.Append(MerkleHash.Leaf(ReferenceMerkle.Rfc6962Leaves[i]));
            Convert.ToHexStringLower(tree.RootHash()).ShouldBe(roots[i], $"root of size {i + 1}");
        }
    }
}
