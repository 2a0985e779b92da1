namespace Ngrtc.Audit.Integrity;

/// <summary>
/// A perfect subtree of the log: the node at <paramref name="Level"/> (0 = leaves) and position
/// <paramref name="Index"/> within that level, covering leaves [Index·2^Level, (Index+1)·2^Level). Such a node's
/// hash never changes once its last leaf is appended, so a store may keep it for good.
/// </summary>
/// <param name="Level">Height above the leaves, 0..62.</param>
/// <param name="Index">Position from the left within the level, from 0.</param>
public readonly record struct NodeId(int Level, long Index)
{
    /// <summary>The first leaf index the node covers.</summary>
    public long Begin => Index << Level;

    /// <summary>One past the last leaf index the node covers.</summary>
    public long End => (Index + 1) << Level;

    /// <summary>The node's parent.</summary>
    public NodeId Parent => new(Level + 1, Index >> 1);

    /// <summary>The other child of the node's parent.</summary>
    public NodeId Sibling => new(Level, Index ^ 1);

    /// <inheritdoc />
    public override string ToString() => $"({Level}, {Index})";
}
