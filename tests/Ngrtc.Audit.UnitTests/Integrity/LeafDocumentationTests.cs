using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Ngrtc.Audit.Integrity;

namespace Ngrtc.Audit.UnitTests.Integrity;

/// <summary>LEAF.md is what a third party recomputes leaves from: its worked example must be what the code does.</summary>
public partial class LeafDocumentationTests
{
    private static readonly string Leaf = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "src", "Ngrtc.Audit.Integrity", "LEAF.md"));

    private static string Block(string info) =>
        Regex.Match(Leaf, $"```{Regex.Escape(info)}\\n(.*?)\\n```", RegexOptions.Singleline) is { Success: true } match
            ? match.Groups[1].Value
            : throw new InvalidOperationException($"LEAF.md has no ```{info} block.");

    [GeneratedRegex("Leaf hash: `([0-9a-f]{64})`")]
    private static partial Regex LeafHashLine();

    [Fact]
    public void the_worked_example_in_leaf_md_is_what_the_library_computes()
    {
        using var document = JsonDocument.Parse(Block("json example-leaf"));
        var canonical = Block("text example-canonical");
        var leafHash = LeafHashLine().Match(Leaf).Groups[1].Value;

        JsonCanonicalizer.CanonicalString(document.RootElement).ShouldBe(canonical);
        Convert.ToHexStringLower(new LeafHasher().Hash(document.RootElement)).ShouldBe(leafHash);
        Convert.ToHexStringLower(SHA256.HashData([0x00, .. Encoding.UTF8.GetBytes(canonical)])).ShouldBe(leafHash);
        document.RootElement.GetProperty("data").GetProperty("subscriber").GetString()
            .ShouldBe(Convert.ToBase64String(SHA256.HashData("example ciphertext"u8)));
    }
}
