using System.Security.Cryptography;
using System.Text;

namespace Ngrtc.Audit.UnitTests.Integrity;

/// <summary>
/// RFC 9162 §2.1 written out as literally as the text reads, recursion and all, sharing no code with the library:
/// the reference the library's hashes, roots and proofs are compared with.
/// </summary>
internal static class ReferenceMerkle
{
    /// <summary>The eight leaves of RFC 6962's test tree, whose roots transparency-dev's vectors use.</summary>
    public static readonly byte[][] Rfc6962Leaves =
    [
        [],
        [0x00],
        [0x10],
        [0x20, 0x21],
        [0x30, 0x31],
        [0x40, 0x41, 0x42, 0x43],
        [0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57],
        [0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f],
    ];

    public static byte[] LeafHash(byte[] data) => SHA256.HashData([0x00, .. data]);

    public static byte[] NodeHash(byte[] left, byte[] right) => SHA256.HashData([0x01, .. left, .. right]);

    /// <summary>Leaf hashes of the leaves "leaf 0", "leaf 1", ….</summary>
    public static byte[][] LeafHashes(int count) =>
        [.. Enumerable.Range(0, count).Select(i => LeafHash(Encoding.UTF8.GetBytes($"leaf {i}")))];

    /// <summary>MTH(D[start:end]) over leaf hashes.</summary>
    public static byte[] Mth(IReadOnlyList<byte[]> leafHashes, int start, int end)
    {
        var n = end - start;
        if (n == 0)
        {
            return SHA256.HashData([]);
        }

        if (n == 1)
        {
            return leafHashes[start];
        }

        var k = LargestPowerOfTwoBelow(n);
        return NodeHash(Mth(leafHashes, start, start + k), Mth(leafHashes, start + k, end));
    }

    public static byte[] Mth(IReadOnlyList<byte[]> leafHashes, int size) => Mth(leafHashes, 0, size);

    /// <summary>PATH(m, D[n]) of §2.1.3.1, for D = leafHashes[0:n].</summary>
    public static List<byte[]> Path(int m, IReadOnlyList<byte[]> leafHashes, int n) => Path(m, leafHashes, 0, n);

    /// <summary>PROOF(m, D[n]) of §2.1.4.1.</summary>
    public static List<byte[]> Proof(int m, IReadOnlyList<byte[]> leafHashes, int n) => SubProof(m, leafHashes, 0, n, true);

    /// <summary>
    /// The left/right turns PATH(m, D[n]) takes, bottom-up: a verifier that is handed an inclusion proof computes the
    /// same root for every (m, n) with the same turns, so a proof proves the leaf under a root, not the size.
    /// </summary>
    public static string InclusionShape(long m, long n)
    {
        if (m < 0 || m >= n)
        {
            return "out of range";
        }

        if (n == 1)
        {
            return string.Empty;
        }

        var k = LargestPowerOfTwoBelow(n);
        return m < k ? InclusionShape(m, k) + "R" : InclusionShape(m - k, n - k) + "L";
    }

    /// <summary>The same for PROOF(m, D[n]); "S" marks a subtree hash that seeds the proof.</summary>
    public static string ConsistencyShape(long m, long n) => m <= 0 || m >= n ? "trivial" : SubProofShape(m, n, true);

    private static string SubProofShape(long m, long n, bool b)
    {
        if (m == n)
        {
            return b ? string.Empty : "S";
        }

        var k = LargestPowerOfTwoBelow(n);
        return m <= k ? SubProofShape(m, k, b) + "R" : SubProofShape(m - k, n - k, false) + "L";
    }

    private static List<byte[]> Path(int m, IReadOnlyList<byte[]> d, int start, int end)
    {
        var n = end - start;
        if (n == 1)
        {
            return [];
        }

        var k = LargestPowerOfTwoBelow(n);
        if (m < k)
        {
            return [.. Path(m, d, start, start + k), Mth(d, start + k, end)];
        }

        return [.. Path(m - k, d, start + k, end), Mth(d, start, start + k)];
    }

    private static List<byte[]> SubProof(int m, IReadOnlyList<byte[]> d, int start, int end, bool b)
    {
        var n = end - start;
        if (m == n)
        {
            return b ? [] : [Mth(d, start, end)];
        }

        var k = LargestPowerOfTwoBelow(n);
        if (m <= k)
        {
            return [.. SubProof(m, d, start, start + k, b), Mth(d, start + k, end)];
        }

        return [.. SubProof(m - k, d, start + k, end, false), Mth(d, start, start + k)];
    }

    private static int LargestPowerOfTwoBelow(long n)
    {
        var k = 1;
        while (k * 2L < n)
        {
            k *= 2;
        }

        return k;
    }

    /// <summary>Hashes as base64 strings, to compare lists of them readably.</summary>
    public static string[] B64(IEnumerable<byte[]> hashes) => [.. hashes.Select(Convert.ToBase64String)];

    public static byte[] Flipped(byte[] hash, int bit = 0)
    {
        var copy = (byte[])hash.Clone();
        copy[bit / 8 % copy.Length] ^= (byte)(1 << (bit % 8));
        return copy;
    }

    public static byte[][] With(IReadOnlyList<byte[]> proof, int index, byte[] replacement)
    {
        var copy = proof.ToArray();
        copy[index] = replacement;
        return copy;
    }
}

/// <summary>Finds folders next to the repository, as the other unit tests find the contracts.</summary>
internal static class RepositoryPaths
{
    public static string Root
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Ngrtc.Audit.sln")))
                {
                    return dir.FullName;
                }
            }

            throw new InvalidOperationException("Ngrtc.Audit.sln not found above the test's folder.");
        }
    }

    /// <summary>The shared RFC 9162 vectors, read in place (../shared/testdata/rfc9162 beside the repository).</summary>
    public static string Rfc9162Vectors => Path.GetFullPath(Path.Combine(Root, "..", "shared", "testdata", "rfc9162"));
}
