using System.Diagnostics;
using System.Security.Cryptography;
using Ngrtc.Audit.Integrity;

namespace Ngrtc.Audit.UnitTests.Integrity;

/// <summary>The scale: proofs at 1,000,000 leaves read O(log n) nodes and take microseconds in memory.</summary>
public class MillionLeafTests
{
    private const int Size = 1_000_000;
    private static readonly Lazy<(InMemoryMerkleTree Tree, byte[] Root)> Built = new(Build);

    private static (InMemoryMerkleTree, byte[]) Build()
    {
        var tree = new InMemoryMerkleTree();
        var compact = new CompactMerkleTree();
        Span<byte> data = stackalloc byte[8];
        Span<byte> leaf = stackalloc byte[32];
        for (var i = 0L; i < Size; i++)
        {
            BitConverter.TryWriteBytes(data, i);
            MerkleHash.Leaf(data, leaf);
            tree.Append(leaf);
            compact.Append(leaf);
        }

        return (tree, compact.RootHash());
    }

    [Fact]
    public void inclusion_proofs_read_a_logarithmic_number_of_nodes_and_verify()
    {
        var (tree, root) = Built.Value;
        tree.RootHash().ShouldBe(root);
        var reader = new CountingReader(tree);
        var random = new Random(1_000_000);

        for (var i = 0; i < 200; i++)
        {
            var size = i == 0 ? Size : random.Next(1, Size + 1);
            var index = random.Next(size);
            reader.Reads = 0;

            var proof = MerkleProofs.Inclusion(reader, index, size);

            reader.Reads.ShouldBeLessThanOrEqualTo(2 * 20);
            var leaf = new byte[32];
            tree.ReadNode(new NodeId(0, index), leaf);
            var sizeRoot = size == Size ? root : tree.RootHash(size);
            ProofVerifier.VerifyInclusion(index, size, leaf, proof, sizeRoot).IsValid.ShouldBeTrue($"leaf {index} of {size}");
        }
    }

    [Fact]
    public void consistency_proofs_read_a_logarithmic_number_of_nodes_and_verify()
    {
        var (tree, root) = Built.Value;
        var reader = new CountingReader(tree);
        var random = new Random(2_000_000);

        for (var i = 0; i < 100; i++)
        {
            var size1 = random.Next(1, Size);
            reader.Reads = 0;

            var proof = MerkleProofs.Consistency(reader, size1, Size);

            reader.Reads.ShouldBeLessThanOrEqualTo(2 * 20 + 1);
            ProofVerifier.VerifyConsistency(size1, Size, tree.RootHash(size1), root, proof).IsValid.ShouldBeTrue($"{size1} → {Size}");
        }
    }

    [Fact]
    public void an_inclusion_proof_at_a_million_leaves_takes_microseconds()
    {
        var (tree, _) = Built.Value;
        var random = new Random(3);
        for (var i = 0; i < 1000; i++)
        {
            tree.InclusionProof(random.Next(Size), Size);
        }

        const int proofs = 20_000;
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < proofs; i++)
        {
            tree.InclusionProof(random.Next(Size), Size);
        }

        watch.Stop();

        // Measured at a few microseconds each; the bound is loose for a shared machine and still far below
        // anything that walks the leaves.
        var perProof = watch.Elapsed / proofs;
        perProof.ShouldBeLessThan(TimeSpan.FromMicroseconds(200), $"{perProof.TotalMicroseconds:F1} µs per proof");
    }

    [Fact]
    public void hashing_a_leaf_from_bytes_is_the_rfc_leaf_hash_for_any_length()
    {
        foreach (var length in new[] { 0, 1, 1022, 1023, 1024, 70_000 })
        {
            var data = RandomNumberGenerator.GetBytes(length);

            MerkleHash.Leaf(data).ShouldBe(SHA256.HashData([0x00, .. data]), $"{length} bytes");
        }
    }

    private sealed class CountingReader(IMerkleNodeReader inner) : IMerkleNodeReader
    {
        public int Reads { get; set; }

        public void ReadNode(NodeId node, Span<byte> hash)
        {
            Reads++;
            inner.ReadNode(node, hash);
        }
    }
}
