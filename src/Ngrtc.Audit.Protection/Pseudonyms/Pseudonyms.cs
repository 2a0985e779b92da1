using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace Ngrtc.Audit.Protection;

/// <summary>
/// Epoch pseudonyms: <c>p1.&lt;epoch&gt;.&lt;base64url(first 16 bytes of HMAC-SHA256(pepper, form ‖ value))&gt;</c>,
/// e.g. <c>p1.2026-11.q0Vx8mB2y5HnV1r4TzK3aA</c>. The pepper is the tenant's random secret for that epoch, so
/// equal identifiers in one (tenant, epoch) get equal pseudonyms, and once the pepper is destroyed nobody can
/// compute them again. The epoch is in clear so a reader knows which pepper (and which retention) applies.
/// 128 bits: the pseudonym only needs to be collision-free (its secrecy is the pepper's), and at 10^12 distinct
/// identifiers in one epoch the chance of any collision is below 10^-14; a full 32-byte MAC would add 21
/// characters to every personal-data field and every register index for nothing.
/// </summary>
public static class Pseudonyms
{
    public const string Version = "p1";
    public const int MacBytes = 16;

    private const int EncodedMacLength = 22;

    /// <summary>Requires a pepper of 32 bytes.</summary>
    public static string Compute(ReadOnlySpan<byte> pepper, Epoch epoch, NormalizedIdentifier identifier)
    {
        Span<byte> mac = stackalloc byte[32];
        MacInput.Hmac(pepper, identifier, mac);

        // One string, no intermediate base64 string: "p1." label "." base64url(mac[..16]).
        var label = epoch.Label;
        var length = Version.Length + 1 + label.Length + 1 + EncodedMacLength;
        Span<char> chars = length <= 128 ? stackalloc char[128] : new char[length];
        Version.AsSpan().CopyTo(chars);
        var at = Version.Length;
        chars[at++] = '.';
        label.AsSpan().CopyTo(chars[at..]);
        at += label.Length;
        chars[at++] = '.';
        Base64Url.EncodeToChars(mac[..MacBytes], chars[at..]);
        return new string(chars[..length]);
    }

    /// <summary>The epoch a pseudonym was made in; false for anything that is not a <c>p1.</c> pseudonym.</summary>
    public static bool TryReadEpoch(string pseudonym, out Epoch? epoch)
    {
        epoch = null;
        var parts = pseudonym.Split('.');
        if (parts.Length != 3 || parts[0] != Version || !Epoch.IsValidLabel(parts[1]))
        {
            return false;
        }

        epoch = new Epoch(parts[1]);
        return true;
    }
}

/// <summary>
/// A person's id within a tenant that does not change with epochs: base64url of the first 16 bytes of
/// HMAC-SHA256(tenant subject-index key, form ‖ value). It keys the subject's data keys, so that erasure finds every
/// key of the person in every epoch. The subject-index key is random per tenant and stored wrapped under the
/// tenant's KEK; without it a subject id cannot be recomputed from a number (a plain hash could: phone numbers
/// are few enough to enumerate).
/// </summary>
public readonly record struct SubjectId
{
    public SubjectId(string value)
    {
        if (value is not { Length: 22 } || value.AsSpan().ContainsAnyExcept(KeyIds.Alphabet))
        {
            throw new ArgumentException("A subject id is 22 characters of base64url.", nameof(value));
        }

        Value = value;
    }

    /// <summary>For <see cref="Compute"/>: 16 bytes in base64url are 22 characters of the alphabet by construction.</summary>
    private SubjectId(string value, bool trusted)
    {
        Debug.Assert(trusted && value.Length == 22);
        Value = value;
    }

    public string Value { get; }

    /// <summary>Requires a subject-index key of 32 bytes.</summary>
    public static SubjectId Compute(ReadOnlySpan<byte> subjectIndexKey, NormalizedIdentifier identifier)
    {
        Span<byte> mac = stackalloc byte[32];
        MacInput.Hmac(subjectIndexKey, identifier, mac);
        return new SubjectId(Base64Url.EncodeToString(mac[..16]), trusted: true);
    }

    public override string ToString() => Value;
}

/// <summary>
/// The bytes both MACs run over: the form as one byte, then the UTF-8 of the canonical value.
/// HMAC-SHA256 runs on a per-thread <see cref="IncrementalHash"/> per key, reused across calls: the one-shot
/// <see cref="HMACSHA256.HashData(ReadOnlySpan{byte}, ReadOnlySpan{byte}, Span{byte})"/> set the key up (and
/// allocated a native context) on every call, which was most of an HMAC's cost. Each thread holds at most
/// <see cref="CachedKeys"/> keys, matched by content (not by array identity: the result cannot depend on the cache),
/// for at most <see cref="KeyLifetimeMilliseconds"/> after it first saw them; expired ones are disposed and their
/// copy zeroed on the thread's next MAC, so a destroyed pepper does not linger longer than the callers' own caches
/// (5 minutes by default) on a thread that keeps computing MACs.
/// </summary>
internal static class MacInput
{
    private const int KeySize = 32;
    private const int CachedKeys = 8;
    private const long KeyLifetimeMilliseconds = 60_000;

    [ThreadStatic]
    private static Slot[]? t_slots;

    [ThreadStatic]
    private static int t_next;

    public static void Hmac(ReadOnlySpan<byte> key, NormalizedIdentifier identifier, Span<byte> mac)
    {
        if (key.Length != KeySize)
        {
            throw new ArgumentException("A pepper or subject-index key is 32 bytes.", nameof(key));
        }

        var value = identifier.Value;
        var max = Encoding.UTF8.GetMaxByteCount(value.Length) + 1;
        byte[]? rented = null;
        var buffer = max <= 512 ? stackalloc byte[512] : (rented = ArrayPool<byte>.Shared.Rent(max));
        try
        {
            buffer[0] = (byte)identifier.Form;
            var length = 1 + Encoding.UTF8.GetBytes(value, buffer[1..]);
            var slot = SlotFor(key);
            try
            {
                slot.Hash!.AppendData(buffer[..length]);
                if (slot.Hash.GetHashAndReset(mac) != 32)
                {
                    throw new CryptographicException("HMAC-SHA256 did not produce 32 bytes.");
                }
            }
            catch
            {
                // Its state is unknown now: never reuse it.
                slot.Clear();
                throw;
            }
        }
        finally
        {
            if (rented is not null)
            {
                CryptographicOperations.ZeroMemory(rented);
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static Slot SlotFor(ReadOnlySpan<byte> key)
    {
        var slots = t_slots ??= CreateSlots();
        var now = Environment.TickCount64;
        Slot? found = null;
        Slot? free = null;
        foreach (var slot in slots)
        {
            if (slot.Hash is null)
            {
                free ??= slot;
            }
            else if (now - slot.Created >= KeyLifetimeMilliseconds)
            {
                slot.Clear();
                free ??= slot;
            }
            else if (found is null && key.SequenceEqual(slot.Key))
            {
                found = slot;
            }
        }

        if (found is not null)
        {
            return found;
        }

        if (free is null)
        {
            free = slots[t_next];
            t_next = (t_next + 1) % slots.Length;
            free.Clear();
        }

        key.CopyTo(free.Key);
        free.Hash = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        free.Created = now;
        return free;
    }

    private static Slot[] CreateSlots()
    {
        var slots = new Slot[CachedKeys];
        for (var i = 0; i < slots.Length; i++)
        {
            slots[i] = new Slot();
        }

        return slots;
    }

    private sealed class Slot
    {
        public readonly byte[] Key = new byte[KeySize];
        public IncrementalHash? Hash;
        public long Created;

        public void Clear()
        {
            Hash?.Dispose();
            Hash = null;
            CryptographicOperations.ZeroMemory(Key);
        }
    }
}
