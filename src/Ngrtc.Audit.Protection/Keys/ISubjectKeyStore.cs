namespace Ngrtc.Audit.Protection;

/// <summary>One subject's key slot: a person (within a tenant) in one epoch.</summary>
public readonly record struct SubjectEpoch(SubjectId Subject, Epoch Epoch);

/// <summary>A key that was destroyed, for a receipt: its id and its epoch, nothing about whose it was.</summary>
public readonly record struct DestroyedKey(string KeyId, Epoch Epoch);

/// <summary>
/// Where subjects' data keys live, wrapped under the tenant's KEK. A subject has one key per epoch (see
/// PROTECTION.md for why not one for all time). A destroyed key keeps its row without key material and without its
/// subject id: reads say "erased", and the row no longer says whose it was. Implementations wrap and unwrap through an
/// <see cref="IKeyEncryptionKeyProvider"/>; caching is <see cref="FieldProtector"/>'s.
/// </summary>
public interface ISubjectKeyStore
{
    /// <summary>
    /// The live key of every slot asked for, created (under the current KEK) where there is none — race-safe
    /// across processes: concurrent callers for one slot all get the same key. Throws
    /// <see cref="EpochAnonymisedException"/> for a slot in an epoch whose pepper was destroyed.
    /// </summary>
    ValueTask<IReadOnlyDictionary<SubjectEpoch, DataKey>> GetOrCreateAsync(string tenant, IReadOnlyCollection<SubjectEpoch> slots, CancellationToken ct = default);

    /// <summary>Keys by id (for decryption): found, destroyed, or <see cref="KeyLookup.Unknown"/>; one entry per id asked for.</summary>
    ValueTask<IReadOnlyDictionary<string, KeyLookup>> FindAsync(string tenant, IReadOnlyCollection<string> keyIds, CancellationToken ct = default);

    /// <summary>Destroys every live key of the subject, in every epoch. Idempotent: a second call finds nothing.</summary>
    ValueTask<IReadOnlyList<DestroyedKey>> DestroySubjectAsync(string tenant, SubjectId subject, DateTimeOffset at, CancellationToken ct = default);

    /// <summary>Destroys every live key of the epoch, every subject's; returns how many.</summary>
    ValueTask<int> DestroyEpochAsync(string tenant, Epoch epoch, DateTimeOffset at, CancellationToken ct = default);

    /// <summary>Up to <paramref name="limit"/> ids of live keys wrapped under a KEK other than <paramref name="kekId"/>.</summary>
    ValueTask<IReadOnlyList<string>> ListWrappedUnderOtherKekAsync(string tenant, string kekId, int limit, CancellationToken ct = default);

    /// <summary>Rewraps the given live keys under <paramref name="kekId"/>; returns how many rows changed.</summary>
    ValueTask<int> RewrapAsync(string tenant, IReadOnlyCollection<string> keyIds, string kekId, CancellationToken ct = default);
}

/// <summary>A pepper, or the fact that its epoch was anonymised.</summary>
public abstract record PepperLookup
{
    private PepperLookup()
    {
    }

    /// <summary>32 random bytes. Personal-data-grade secret: never logged.</summary>
    public sealed record Live(byte[] Pepper) : PepperLookup
    {
        public override string ToString() => "Live { Pepper = [secret] }";
    }

    public sealed record Destroyed(DateTimeOffset At) : PepperLookup;
}

/// <summary>
/// Where the tenant's epoch peppers and its subject-index key live, wrapped under the tenant's KEK. Peppers are
/// random, never derived: destroying one is what makes its epoch's pseudonyms unlinkable.
/// </summary>
public interface IPepperStore
{
    /// <summary>The epoch's pepper, created if the epoch has none yet; race-safe. A destroyed epoch stays destroyed: no new pepper is ever made for it.</summary>
    ValueTask<PepperLookup> GetOrCreateAsync(string tenant, Epoch epoch, CancellationToken ct = default);

    /// <summary>Destroys the epoch's pepper and closes the epoch for good (also when it never had one). True if a live pepper was destroyed by this call.</summary>
    ValueTask<bool> DestroyAsync(string tenant, Epoch epoch, DateTimeOffset at, CancellationToken ct = default);

    /// <summary>The tenant's subject-index key (32 bytes), created on first use; never destroyed by this library.</summary>
    ValueTask<byte[]> GetOrCreateSubjectIndexKeyAsync(string tenant, CancellationToken ct = default);

    /// <summary>Rewraps every live pepper and the subject-index key of the tenant not yet under <paramref name="kekId"/>; returns how many.</summary>
    ValueTask<int> RewrapAsync(string tenant, string kekId, CancellationToken ct = default);
}

/// <summary>
/// An event falls in an epoch whose pepper was destroyed (it arrived after its epoch was anonymised): it can get
/// neither a pseudonym nor a key. The service decides what to do with it (store it without its personal data).
/// Names the tenant, the epoch and, where known, the field path — never the value.
/// </summary>
public sealed class EpochAnonymisedException(string tenant, Epoch epoch, string? fieldPath = null)
    : Exception($"Epoch {epoch.Label} of tenant {tenant} was anonymised (its pepper is destroyed)" + (fieldPath is null ? "." : $"; field {fieldPath} cannot be protected in it."))
{
    public string Tenant { get; } = tenant;

    public Epoch Epoch { get; } = epoch;

    public string? FieldPath { get; } = fieldPath;
}
