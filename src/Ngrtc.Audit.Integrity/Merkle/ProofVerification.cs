namespace Ngrtc.Audit.Integrity;

/// <summary>Why a proof did not verify.</summary>
public enum ProofFailure
{
    /// <summary>The proof verified.</summary>
    None,

    /// <summary>The input could not be read (bad JSON, a missing or mistyped field, bad base64).</summary>
    MalformedInput,

    /// <summary>A leaf hash, root or proof entry is not 32 bytes.</summary>
    MalformedHash,

    /// <summary>A tree size is negative.</summary>
    InvalidTreeSize,

    /// <summary>The leaf index is negative or not below the tree size.</summary>
    LeafIndexOutOfRange,

    /// <summary>The first tree size is bigger than the second.</summary>
    SizesOutOfOrder,

    /// <summary>The proof has more or fewer entries than the sizes call for.</summary>
    WrongProofLength,

    /// <summary>The root calculated from the inclusion proof is not the given root.</summary>
    RootMismatch,

    /// <summary>The root of the first tree calculated from the consistency proof is not the given one.</summary>
    FirstRootMismatch,

    /// <summary>The root of the second tree calculated from the consistency proof is not the given one.</summary>
    SecondRootMismatch,
}

/// <summary>
/// The outcome of verifying a proof: <see cref="Failure"/> says why it failed, <see cref="Reason"/> says so in
/// words, and for a root mismatch <see cref="ExpectedRoot"/> and <see cref="CalculatedRoot"/> show both roots.
/// </summary>
/// <param name="Failure">Why the proof failed, or <see cref="ProofFailure.None"/>.</param>
/// <param name="Reason">A sentence for people and logs.</param>
/// <param name="ExpectedRoot">The root the caller gave, on a root mismatch.</param>
/// <param name="CalculatedRoot">The root the proof leads to, on a root mismatch.</param>
public sealed record ProofVerification(ProofFailure Failure, string Reason, byte[]? ExpectedRoot = null, byte[]? CalculatedRoot = null)
{
    internal static ProofVerification Valid { get; } = new(ProofFailure.None, "The proof is valid.");

    /// <summary>True when the proof verified.</summary>
    public bool IsValid => Failure == ProofFailure.None;
}
