using System.Security.Cryptography;
using System.Text;

namespace Ngrtc.Audit.Integrity;

/// <summary>Serves the consistency proof between two tree sizes, or null when there is none.</summary>
public delegate IReadOnlyList<byte[]>? ConsistencyProofSource(long size1, long size2);

/// <summary>Why a chain of tree heads was refused.</summary>
public enum ChainFailure
{
    /// <summary>The chain verified.</summary>
    None,

    /// <summary>A head's signature or format did not verify.</summary>
    BadHead,

    /// <summary>A head belongs to another tenant than the first.</summary>
    TenantChanged,

    /// <summary>A head's previousHeadHash is not the hash of the head before it (or the first head's is not the expected one).</summary>
    BrokenLink,

    /// <summary>A head's tree is smaller than the one before it.</summary>
    TreeShrank,

    /// <summary>Two consecutive heads of one size have different roots.</summary>
    RootChanged,

    /// <summary>The consistency proof between two consecutive heads is missing or does not verify.</summary>
    Inconsistent,

    /// <summary>A head is dated before the head it follows.</summary>
    TimeWentBack,
}

/// <summary>The outcome of <see cref="TreeHeadChain.Verify"/>.</summary>
/// <param name="Failure">Why the chain was refused, or <see cref="ChainFailure.None"/>.</param>
/// <param name="FailedAt">Position of the first head that failed, or -1.</param>
/// <param name="Reason">A sentence for people and logs.</param>
/// <param name="Heads">The heads verified before the failure (all of them when valid).</param>
public sealed record ChainCheck(ChainFailure Failure, int FailedAt, string Reason, IReadOnlyList<TreeHead> Heads)
{
    /// <summary>True when every head and link verified.</summary>
    public bool IsValid => Failure == ChainFailure.None;
}

/// <summary>
/// The chain of a tenant's signed tree heads: each head names the SHA-256 of the previous head's compact JWS
/// (ASCII bytes, exactly as stored and served), so replacing, dropping or reordering a head breaks the next
/// link, and every head is signed.
/// </summary>
public static class TreeHeadChain
{
    /// <summary>SHA-256 of the ASCII bytes of a compact JWS: what the next head's previousHeadHash holds.</summary>
    public static byte[] HashOf(string jws)
    {
        ArgumentNullException.ThrowIfNull(jws);
        return SHA256.HashData(Encoding.ASCII.GetBytes(jws));
    }

    /// <summary>
    /// Verifies consecutive signed heads of one tenant, oldest first: every signature; one tenant throughout;
    /// each previousHeadHash equal to the hash of the head before it; tree sizes and timestamps never decreasing;
    /// equal sizes with equal roots; and, when <paramref name="consistency"/> is given, a valid consistency proof for every growth.
    /// </summary>
    /// <param name="signedHeads">Compact JWS heads, oldest first.</param>
    /// <param name="verifier">Holds the public keys.</param>
    /// <param name="hashBeforeFirst">
    /// Null when the chain starts at the log's first head (whose previousHeadHash must then be null); otherwise the
    /// hash of the head just before <paramref name="signedHeads"/>[0], which that head must name.
    /// </param>
    /// <param name="consistency">Where to get consistency proofs; null to skip them.</param>
    public static ChainCheck Verify(IReadOnlyList<string> signedHeads, TreeHeadVerifier verifier, byte[]? hashBeforeFirst = null, ConsistencyProofSource? consistency = null)
    {
        ArgumentNullException.ThrowIfNull(signedHeads);
        ArgumentNullException.ThrowIfNull(verifier);
        var heads = new List<TreeHead>(signedHeads.Count);
        var expectedPrevious = hashBeforeFirst;
        for (var i = 0; i < signedHeads.Count; i++)
        {
            var verification = verifier.Verify(signedHeads[i]);
            if (!verification.IsValid)
            {
                return Fail(ChainFailure.BadHead, i, $"Head {i}: {verification.Reason}", heads);
            }

            var head = verification.Head!;
            if (i > 0 && !string.Equals(head.Tenant, heads[0].Tenant, StringComparison.Ordinal))
            {
                return Fail(ChainFailure.TenantChanged, i, $"Head {i} is of tenant \"{head.Tenant}\", not \"{heads[0].Tenant}\".", heads);
            }

            if (!SameHash(head.PreviousHeadHash, expectedPrevious))
            {
                var expected = expectedPrevious is null ? "none (the log's first head)" : Convert.ToBase64String(expectedPrevious);
                var named = head.PreviousHeadHash is null ? "none" : Convert.ToBase64String(head.PreviousHeadHash);
                return Fail(ChainFailure.BrokenLink, i, $"Head {i} names previous head {named}; expected {expected}.", heads);
            }

            if (i > 0 && LinkProblem(heads[^1], head, consistency) is { } problem)
            {
                return Fail(problem.Failure, i, $"Head {i}: {problem.Reason}", heads);
            }

            heads.Add(head);
            expectedPrevious = HashOf(signedHeads[i]);
        }

        return new ChainCheck(ChainFailure.None, -1, $"{heads.Count} heads verified.", heads);
    }

    private static (ChainFailure Failure, string Reason)? LinkProblem(TreeHead previous, TreeHead head, ConsistencyProofSource? consistency)
    {
        if (head.TreeSize < previous.TreeSize)
        {
            return (ChainFailure.TreeShrank, $"the tree shrank from {previous.TreeSize} to {head.TreeSize} leaves.");
        }

        if (head.Timestamp < previous.Timestamp)
        {
            return (ChainFailure.TimeWentBack, $"dated {head.Timestamp:O}, before the head it follows ({previous.Timestamp:O}).");
        }

        if (head.TreeSize == previous.TreeSize)
        {
            return previous.RootHash.AsSpan().SequenceEqual(head.RootHash)
                ? null
                : (ChainFailure.RootChanged, $"the root changed while the tree stayed at {head.TreeSize} leaves.");
        }

        if (consistency is null)
        {
            return null;
        }

        if (consistency(previous.TreeSize, head.TreeSize) is not { } proof)
        {
            return (ChainFailure.Inconsistent, $"no consistency proof from {previous.TreeSize} to {head.TreeSize} leaves.");
        }

        var check = ProofVerifier.VerifyConsistency(previous.TreeSize, head.TreeSize, previous.RootHash, head.RootHash, proof);
        return check.IsValid ? null : (ChainFailure.Inconsistent, $"from {previous.TreeSize} to {head.TreeSize} leaves: {check.Reason}");
    }

    private static bool SameHash(byte[]? a, byte[]? b) => a is null ? b is null : b is not null && a.AsSpan().SequenceEqual(b);

    private static ChainCheck Fail(ChainFailure failure, int at, string reason, List<TreeHead> heads) => new(failure, at, reason, heads);
}
