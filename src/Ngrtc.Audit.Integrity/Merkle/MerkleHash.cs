using System.Security.Cryptography;

namespace Ngrtc.Audit.Integrity;

/// <summary>
/// The RFC 9162 §2.1.1 hashes with SHA-256: a leaf is SHA-256(0x00 ‖ bytes), an inner node is
/// SHA-256(0x01 ‖ left ‖ right), and the empty tree is SHA-256 of nothing. The prefixes keep a leaf from ever
/// being passed off as an inner node (second-preimage resistance).
/// </summary>
public static class MerkleHash
{
    /// <summary>Bytes in every hash of the tree.</summary>
    public const int Size = SHA256.HashSizeInBytes;

    private const byte LeafPrefix = 0x00;
    private const byte NodePrefix = 0x01;

    private static ReadOnlySpan<byte> LeafPrefixBytes => [LeafPrefix];

    // One SHA-256 state per thread, reset after every hash: for the 65-byte inputs of inner nodes .NET's one-shot
    // SHA256.HashData costs about three times as much here (OpenSSL 3 sets up a digest per call).
    [ThreadStatic]
    private static IncrementalHash? sha256;

    /// <summary>MTH({}) = SHA-256 of the empty string: the root of the tree of size 0.</summary>
    public static ReadOnlySpan<byte> EmptyRoot =>
    [
        0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
        0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
    ];

    private static IncrementalHash Sha256 => sha256 ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    /// <summary>Writes SHA-256(0x00 ‖ <paramref name="data"/>) to <paramref name="destination"/> (at least 32 bytes).</summary>
    public static void Leaf(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        RequireDestination(destination);
        var hash = Sha256;
        hash.AppendData(LeafPrefixBytes);
        hash.AppendData(data);
        hash.GetHashAndReset(destination);
    }

    /// <summary>Writes SHA-256(<paramref name="data"/>) to <paramref name="destination"/>, as <see cref="Leaf(ReadOnlySpan{byte}, Span{byte})"/> does once the prefix is in <paramref name="data"/>.</summary>
    internal static void Plain(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        RequireDestination(destination);
        var hash = Sha256;
        hash.AppendData(data);
        hash.GetHashAndReset(destination);
    }

    /// <summary>SHA-256(0x00 ‖ <paramref name="data"/>).</summary>
    public static byte[] Leaf(ReadOnlySpan<byte> data)
    {
        var hash = new byte[Size];
        Leaf(data, hash);
        return hash;
    }

    /// <summary>
    /// Writes SHA-256(0x01 ‖ left ‖ right) to <paramref name="destination"/>. Requires 32-byte children;
    /// <paramref name="destination"/> may be the same memory as either child.
    /// </summary>
    public static void Node(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right, Span<byte> destination)
    {
        if (left.Length != Size || right.Length != Size)
        {
            throw new ArgumentException($"Children of a node must be {Size}-byte hashes.");
        }

        RequireDestination(destination);
        Span<byte> input = stackalloc byte[1 + 2 * Size];
        input[0] = NodePrefix;
        left.CopyTo(input[1..]);
        right.CopyTo(input[(1 + Size)..]);
        var hash = Sha256;
        hash.AppendData(input);
        hash.GetHashAndReset(destination);
    }

    /// <summary>SHA-256(0x01 ‖ left ‖ right); requires 32-byte children.</summary>
    public static byte[] Node(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        var hash = new byte[Size];
        Node(left, right, hash);
        return hash;
    }

    /// <summary>
    /// MTH(D[n]) of RFC 9162 §2.1.1 over the given leaf hashes (already leaf-hashed), in O(n) time and
    /// O(log n) memory. Requires every element to be a 32-byte hash.
    /// </summary>
    public static byte[] Root(IEnumerable<byte[]> leafHashes)
    {
        ArgumentNullException.ThrowIfNull(leafHashes);
        var tree = new CompactMerkleTree();
        foreach (var leafHash in leafHashes)
        {
            tree.Append(leafHash);
        }

        return tree.RootHash();
    }

    internal static bool IsHash(ReadOnlySpan<byte> hash) => hash.Length == Size;

    // Checked before any data goes in, so a bad destination never leaves the shared state half-fed.
    private static void RequireDestination(Span<byte> destination)
    {
        if (destination.Length < Size)
        {
            throw new ArgumentException($"A hash needs {Size} bytes of room.", nameof(destination));
        }
    }
}
