using System.Buffers;
using System.Text.Json;

namespace Ngrtc.Audit.Integrity;

/// <summary>
/// The leaf hash of the log: SHA-256(0x00 ‖ JCS(leaf)), where the caller has already built the leaf document as
/// LEAF.md describes. Canonicalizes straight behind the 0x00 prefix into one reused buffer and hashes that in one
/// call, so hashing many events allocates nothing once the buffer has grown to the biggest event.
/// Not thread-safe: use one per thread.
/// </summary>
public sealed class LeafHasher
{
    private readonly ArrayBufferWriter<byte> buffer = new(4096);

    /// <summary>The canonical bytes of the last leaf hashed (without the 0x00 prefix); valid until the next call.</summary>
    public ReadOnlySpan<byte> LastCanonicalBytes => buffer.WrittenCount == 0 ? default : buffer.WrittenSpan[1..];

    /// <summary>Writes SHA-256(0x00 ‖ JCS(<paramref name="leaf"/>)) to <paramref name="destination"/> (32 bytes).</summary>
    public void Hash(JsonElement leaf, Span<byte> destination)
    {
        buffer.ResetWrittenCount();
        buffer.GetSpan(1)[0] = 0x00;
        buffer.Advance(1);
        JsonCanonicalizer.Canonicalize(leaf, buffer);
        MerkleHash.Plain(buffer.WrittenSpan, destination);
    }

    /// <summary>SHA-256(0x00 ‖ JCS(<paramref name="leaf"/>)).</summary>
    public byte[] Hash(JsonElement leaf)
    {
        var hash = new byte[MerkleHash.Size];
        Hash(leaf, hash);
        return hash;
    }
}
