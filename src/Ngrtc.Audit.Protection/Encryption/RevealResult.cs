namespace Ngrtc.Audit.Protection;

/// <summary>
/// What decrypting a protected value gives: the value, the fact that it was erased, or the fact that it was
/// tampered with. Never an exception for an erased key: a read of an erased person's event shows "erased".
/// </summary>
public abstract record RevealResult
{
    private RevealResult()
    {
    }

    /// <summary>The value as it was received. Personal data: <see cref="ToString"/> does not show it.</summary>
    public sealed record Plain(string Value) : RevealResult
    {
        public override string ToString() => "Plain { Value = [redacted] }";
    }

    /// <summary>The subject's key for that epoch was destroyed (erasure, or the epoch was anonymised).</summary>
    public sealed record Erased(string KeyId, DateTimeOffset? At) : RevealResult;

    /// <summary>Not a value this service wrote for this event and field: altered, truncated, moved, or its key is unknown.</summary>
    public sealed record Tampered(string? KeyId, TamperReason Reason) : RevealResult;
}

public enum TamperReason
{
    /// <summary>Not <c>enc1.&lt;keyId&gt;.&lt;base64url&gt;</c>, or too short to hold a nonce and a tag.</summary>
    Malformed,

    /// <summary>No key of that id was ever created for the tenant.</summary>
    UnknownKey,

    /// <summary>The GCM tag does not verify: the bytes, the event id, the field path or the tenant differ from those it was written with.</summary>
    AuthenticationFailed,
}

/// <summary>A key looked up by id: found, destroyed, or never created.</summary>
public abstract record KeyLookup
{
    private KeyLookup()
    {
    }

    public static KeyLookup Unknown { get; } = new NotFound();

    public sealed record Found(DataKey Key) : KeyLookup;

    public sealed record Destroyed(DateTimeOffset At) : KeyLookup;

    public sealed record NotFound : KeyLookup;
}
