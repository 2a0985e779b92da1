using System.Numerics;

namespace Ngrtc.Audit.Integrity;

/// <summary>
/// RFC 9162 proof verification: inclusion (§2.1.3.2) and consistency (§2.1.4.2), on SHA-256. Bad input of any
/// kind comes back as a <see cref="ProofVerification"/> naming the failure; nothing here throws on it. Before the
/// RFC's loop runs, the proof length is checked against the exact length the sizes call for, so a missing or
/// extra entry is reported as such rather than as a root mismatch.
/// </summary>
public static class ProofVerifier
{
    /// <summary>
    /// Verifies that <paramref name="leafHash"/> is leaf <paramref name="leafIndex"/> of the tree of size
    /// <paramref name="treeSize"/> whose root is <paramref name="root"/>. Valid only when 0 &lt;= leafIndex &lt;
    /// treeSize, every hash is 32 bytes and the proof is PATH(leafIndex, D[treeSize]). A proof binds the leaf to
    /// the root; the tree size is bound by the signed tree head that carries the root.
    /// </summary>
    public static ProofVerification VerifyInclusion(long leafIndex, long treeSize, ReadOnlySpan<byte> leafHash, IReadOnlyList<byte[]>? proof, ReadOnlySpan<byte> root)
    {
        proof ??= [];
        if (treeSize < 0)
        {
            return Fail(ProofFailure.InvalidTreeSize, $"Tree size {treeSize} is negative.");
        }

        if (leafIndex < 0 || leafIndex >= treeSize)
        {
            return Fail(ProofFailure.LeafIndexOutOfRange, $"Leaf index {leafIndex} is not in a tree of size {treeSize}.");
        }

        if ((HashProblem(leafHash, "The leaf hash") ?? HashProblem(root, "The root") ?? ProofProblem(proof)) is { } malformed)
        {
            return malformed;
        }

        var expected = InclusionLength(leafIndex, treeSize);
        if (proof.Count != expected)
        {
            return WrongLength(proof.Count, expected, $"leaf {leafIndex} in a tree of size {treeSize}");
        }

        // RFC 9162 §2.1.3.2, steps 2 to 5.
        long fn = leafIndex, sn = treeSize - 1;
        Span<byte> r = stackalloc byte[MerkleHash.Size];
        leafHash.CopyTo(r);
        foreach (var p in proof)
        {
            if (sn == 0)
            {
                return WrongLength(proof.Count, expected, $"leaf {leafIndex} in a tree of size {treeSize}");
            }

            if ((fn & 1) == 1 || fn == sn)
            {
                MerkleHash.Node(p, r, r);
                while ((fn & 1) == 0 && fn != 0)
                {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
            else
            {
                MerkleHash.Node(r, p, r);
            }

            fn >>= 1;
            sn >>= 1;
        }

        if (sn != 0)
        {
            return WrongLength(proof.Count, expected, $"leaf {leafIndex} in a tree of size {treeSize}");
        }

        return r.SequenceEqual(root)
            ? ProofVerification.Valid
            : Mismatch(ProofFailure.RootMismatch, "The proof leads to a different root", root, r);
    }

    /// <summary>
    /// Verifies that the tree of size <paramref name="size2"/> with root <paramref name="root2"/> extends the tree of
    /// size <paramref name="size1"/> with root <paramref name="root1"/>. Requires 0 &lt;= size1 &lt;= size2 and 32-byte
    /// hashes. When size1 equals size2 the proof must be empty and the roots equal; when size1 is 0 the proof must
    /// be empty and root1 must be the empty tree's root (any tree extends the empty one).
    /// </summary>
    public static ProofVerification VerifyConsistency(long size1, long size2, ReadOnlySpan<byte> root1, ReadOnlySpan<byte> root2, IReadOnlyList<byte[]>? proof)
    {
        proof ??= [];
        if (size1 < 0 || size2 < 0)
        {
            return Fail(ProofFailure.InvalidTreeSize, $"Tree sizes {size1} and {size2} must not be negative.");
        }

        if ((HashProblem(root1, "The first root") ?? HashProblem(root2, "The second root") ?? ProofProblem(proof)) is { } malformed)
        {
            return malformed;
        }

        if (size1 > size2)
        {
            return Fail(ProofFailure.SizesOutOfOrder, $"The first tree ({size1}) is bigger than the second ({size2}).");
        }

        if (size1 == size2 || size1 == 0)
        {
            if (proof.Count != 0)
            {
                return WrongLength(proof.Count, 0, $"sizes {size1} and {size2}");
            }

            if (size1 == 0)
            {
                return root1.SequenceEqual(MerkleHash.EmptyRoot)
                    ? ProofVerification.Valid
                    : Mismatch(ProofFailure.FirstRootMismatch, "The first root is not the root of the empty tree", MerkleHash.EmptyRoot, root1);
            }

            return root1.SequenceEqual(root2)
                ? ProofVerification.Valid
                : Mismatch(ProofFailure.SecondRootMismatch, $"Two trees of size {size1} have different roots", root1, root2);
        }

        var expected = ConsistencyLength(size1, size2);
        if (proof.Count != expected)
        {
            return WrongLength(proof.Count, expected, $"sizes {size1} and {size2}");
        }

        // RFC 9162 §2.1.4.2. Step 2 prepends root1 when size1 is a power of two; `path` does that without copying.
        var prependFirst = BitOperations.IsPow2(size1);
        var pathLength = proof.Count + (prependFirst ? 1 : 0);
        ReadOnlySpan<byte> Path(int i, ReadOnlySpan<byte> first) => prependFirst ? (i == 0 ? first : proof[i - 1]) : proof[i];

        long fn = size1 - 1, sn = size2 - 1;
        while ((fn & 1) == 1)
        {
            fn >>= 1;
            sn >>= 1;
        }

        Span<byte> fr = stackalloc byte[MerkleHash.Size];
        Span<byte> sr = stackalloc byte[MerkleHash.Size];
        Path(0, root1).CopyTo(fr);
        Path(0, root1).CopyTo(sr);
        for (var i = 1; i < pathLength; i++)
        {
            var c = Path(i, root1);
            if (sn == 0)
            {
                return WrongLength(proof.Count, expected, $"sizes {size1} and {size2}");
            }

            if ((fn & 1) == 1 || fn == sn)
            {
                MerkleHash.Node(c, fr, fr);
                MerkleHash.Node(c, sr, sr);
                while ((fn & 1) == 0 && fn != 0)
                {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
            else
            {
                MerkleHash.Node(sr, c, sr);
            }

            fn >>= 1;
            sn >>= 1;
        }

        if (sn != 0)
        {
            return WrongLength(proof.Count, expected, $"sizes {size1} and {size2}");
        }

        if (!fr.SequenceEqual(root1))
        {
            return Mismatch(ProofFailure.FirstRootMismatch, "The proof leads to a different first root", root1, fr);
        }

        return sr.SequenceEqual(root2)
            ? ProofVerification.Valid
            : Mismatch(ProofFailure.SecondRootMismatch, "The proof leads to a different second root", root2, sr);
    }

    /// <summary>Entries in PATH(leafIndex, D[treeSize]). Requires 0 &lt;= leafIndex &lt; treeSize.</summary>
    public static int InclusionLength(long leafIndex, long treeSize)
    {
        // Below the level where the leaf's path and the last leaf's path meet every level has a sibling
        // ("inner"); above it, one entry per left subtree of the tree's right border.
        var inner = BitLength(leafIndex ^ (treeSize - 1));
        var border = BitOperations.PopCount((ulong)(leafIndex >> inner));
        return inner + border;
    }

    /// <summary>Entries in PROOF(size1, D[size2]). Requires 0 &lt; size1 &lt; size2.</summary>
    public static int ConsistencyLength(long size1, long size2)
    {
        // The inclusion path of the subtree ending at size1, less the levels inside that subtree, plus that
        // subtree's own hash unless it is the whole first tree.
        var shift = BitOperations.TrailingZeroCount(size1);
        var length = InclusionLength(size1 - 1, size2) - shift;
        return BitOperations.IsPow2(size1) ? length : length + 1;
    }

    private static ProofVerification? HashProblem(ReadOnlySpan<byte> hash, string what) =>
        MerkleHash.IsHash(hash) ? null : Fail(ProofFailure.MalformedHash, $"{what} is {hash.Length} bytes, not {MerkleHash.Size}.");

    private static ProofVerification? ProofProblem(IReadOnlyList<byte[]> proof)
    {
        for (var i = 0; i < proof.Count; i++)
        {
            if (proof[i] is null || !MerkleHash.IsHash(proof[i]))
            {
                return Fail(ProofFailure.MalformedHash, $"Proof entry {i} is {proof[i]?.Length ?? 0} bytes, not {MerkleHash.Size}.");
            }
        }

        return null;
    }

    private static ProofVerification WrongLength(int actual, int expected, string what) =>
        Fail(ProofFailure.WrongProofLength, $"The proof for {what} has {expected} entries; this one has {actual}.");

    private static ProofVerification Mismatch(ProofFailure failure, string what, ReadOnlySpan<byte> expected, ReadOnlySpan<byte> calculated) =>
        new(failure, $"{what}: expected {Convert.ToBase64String(expected)}, calculated {Convert.ToBase64String(calculated)}.", expected.ToArray(), calculated.ToArray());

    private static ProofVerification Fail(ProofFailure failure, string reason) => new(failure, reason);

    private static int BitLength(long value) => 64 - BitOperations.LeadingZeroCount((ulong)value);
}
