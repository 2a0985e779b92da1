namespace Ngrtc.Audit.Integrity;

/// <summary>
/// When a tree-head key may sign: heads dated from <see cref="NotBefore"/> (inclusive) until <see cref="NotAfter"/>
/// (exclusive); an open end is unbounded. A retired key keeps verifying the heads it signed while it was current,
/// and a head it is made to sign later (its private half leaked, say) is refused if it is dated as it was signed.
/// The date is the head's own claim: a thief may backdate, and such a fork is caught by its consistency with heads
/// the verifier already holds (the stored chain, or heads a regulator kept), not by the period.
/// Published in the JWKS as the JWK members <c>nbf</c> and <c>exp</c> (NumericDate: seconds since the epoch, as
/// RFC 7519 §2 defines it, and as OpenID Federation marks historical keys). A generic JOSE or openssl check of a
/// head's signature does not read them: a verifier must compare the head's timestamp with them itself.
/// </summary>
public readonly record struct KeyValidity(DateTimeOffset? NotBefore, DateTimeOffset? NotAfter)
{
    /// <summary>No bound at either end.</summary>
    public static KeyValidity Always => default;

    /// <summary>Whether a head dated <paramref name="timestamp"/> may be signed by the key.</summary>
    public bool Covers(DateTimeOffset timestamp) => (NotBefore is not { } from || timestamp >= from) && (NotAfter is not { } until || timestamp < until);

    /// <summary>A sentence naming the period, for refusals.</summary>
    public override string ToString() => (NotBefore, NotAfter) switch
    {
        (null, null) => "at any time",
        ({ } from, null) => $"from {from.UtcDateTime:O}",
        (null, { } until) => $"before {until.UtcDateTime:O}",
        ({ } from, { } until) => $"from {from.UtcDateTime:O} until before {until.UtcDateTime:O}",
    };

    /// <summary>Throws <see cref="ArgumentException"/> when the period is empty (it ends before or when it begins).</summary>
    public void Validate(string keyId)
    {
        if (NotBefore is { } from && NotAfter is { } until && until <= from)
        {
            throw new ArgumentException($"Key \"{keyId}\" is valid for no time at all: its end ({until.UtcDateTime:O}) is not after its beginning ({from.UtcDateTime:O}).");
        }
    }
}
