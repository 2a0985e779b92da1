namespace Ngrtc.Audit.Integrity;

/// <summary>
/// Reads hashes of perfect subtrees (<see cref="NodeId"/>) of one log. Proof generation asks only for nodes
/// that are complete in the tree size the proof is for, so a store that keeps every completed node (as the
/// sealer emits them through <see cref="CompactMerkleTree.Append(ReadOnlySpan{byte}, NodeCompleted?)"/>) can
/// answer every request. A store that wants one round trip per proof uses <see cref="MerkleProofs.PlanInclusion"/>
/// or <see cref="MerkleProofs.PlanConsistency"/> and <see cref="ProofPlan.Rehash(IReadOnlyList{byte[]})"/> instead of this interface.
/// </summary>
public interface IMerkleNodeReader
{
    /// <summary>
    /// Writes the 32-byte hash of <paramref name="node"/> to <paramref name="hash"/>. Requires the node to be
    /// complete in the tree the reader holds; throws if it is not.
    /// </summary>
    void ReadNode(NodeId node, Span<byte> hash);
}
