namespace Ngrtc.Audit.Protection;

public sealed record ProtectionOptions
{
    public EpochSchedule Epochs { get; init; } = EpochSchedule.Monthly();

    public NormalizerOptions Normalization { get; init; } = NormalizerOptions.Default;

    /// <summary>Unwrapped data keys held in memory (by slot, and again by id for reads).</summary>
    public int MaxCachedKeys { get; init; } = 100_000;

    /// <summary>
    /// How long a cached key, pepper or "erased" answer is trusted. It bounds how long another node may go on
    /// encrypting with a key this node destroyed (what it writes then is unreadable, i.e. erased too) and how
    /// long a destroyed pepper may linger in another node's memory.
    /// </summary>
    public TimeSpan CacheTimeToLive { get; init; } = TimeSpan.FromMinutes(5);
}

/// <summary>
/// One personal-data value of one event to protect. <see cref="FieldPath"/> is the value's place in the event
/// (a JSON Pointer such as <c>/targets/1</c> is suggested); <see cref="EventId"/> any id stable for the event's life.
/// Both become the ciphertext's associated data. <see cref="ToString"/> never shows <see cref="Value"/>.
/// </summary>
public sealed record ProtectionRequest(string Tenant, string EventId, DateTimeOffset EventTime, string FieldPath, IdentifierKind Kind, string Value)
{
    public override string ToString() =>
        $"ProtectionRequest {{ Tenant = {Tenant}, EventId = {EventId}, EventTime = {EventTime:O}, FieldPath = {FieldPath}, Kind = {Kind} }}";
}

/// <summary>What the stored event holds instead of the value: its epoch pseudonym, its ciphertext and the key id.</summary>
public readonly record struct ProtectedValue(string Pseudonym, string Ciphertext, string KeyId);

/// <summary>A stored ciphertext to decrypt, with the event id and field path it was written for.</summary>
public sealed record RevealRequest(string Tenant, string EventId, string FieldPath, string Ciphertext);

/// <summary>A subject's crypto-shredding, for its receipt: which keys (ids, epochs) were destroyed, when. No personal data.</summary>
public sealed record SubjectShredSummary(string Tenant, IReadOnlyList<DestroyedKey> Keys, DateTimeOffset At)
{
    public int KeyCount => Keys.Count;

    public IReadOnlyList<Epoch> Epochs => [.. Keys.Select(k => k.Epoch).Distinct().OrderBy(e => e.Label, StringComparer.Ordinal)];
}

/// <summary>An epoch's anonymisation, for its receipt: whether a live pepper was destroyed by this call and how many data keys.</summary>
public sealed record EpochAnonymisationSummary(string Tenant, Epoch Epoch, bool PepperDestroyed, int DataKeysDestroyed, DateTimeOffset At);

/// <summary>
/// The one place personal data is protected and revealed. Ingestion calls <see cref="ProtectAsync(IReadOnlyList{ProtectionRequest}, CancellationToken)"/>
/// once per batch: every value is normalised by its kind, gets its epoch pseudonym
/// (<see cref="Pseudonyms"/>) and is encrypted under its subject's key for that epoch (<see cref="FieldCipher"/>);
/// the keys a batch lacks are fetched or created in one store round trip per tenant, and then cached.
/// <see cref="RevealAsync(IReadOnlyList{RevealRequest}, CancellationToken)"/> is the privileged path (data-subject access, re-identification); the
/// Destroy methods are crypto-shredding and epoch anonymisation. Thread-safe; one instance per process.
/// </summary>
public sealed class FieldProtector
{
    private readonly IPepperStore _peppers;
    private readonly ISubjectKeyStore _keys;
    private readonly BoundedCache<string, byte[]> _subjectIndexKeys;
    private readonly BoundedCache<(string Tenant, Epoch Epoch), PepperLookup> _pepperCache;
    private readonly BoundedCache<(string Tenant, SubjectEpoch Slot), DataKey> _keysBySlot;
    private readonly BoundedCache<(string Tenant, string KeyId), KeyLookup> _keysById;

    public FieldProtector(IPepperStore peppers, ISubjectKeyStore keys, ProtectionOptions? options = null, TimeProvider? time = null)
    {
        if (!IdentifierNormalizer.UnicodeNormalizationAvailable)
        {
            throw new InvalidOperationException(
                "Unicode normalisation is unavailable (the process runs with InvariantGlobalization=true, where string.Normalize returns its input): display names would not be normalised.");
        }

        options ??= new ProtectionOptions();
        time ??= TimeProvider.System;
        _peppers = peppers;
        _keys = keys;
        Epochs = options.Epochs;
        Normalizer = new IdentifierNormalizer(options.Normalization);
        _subjectIndexKeys = new BoundedCache<string, byte[]>(1024, options.CacheTimeToLive, time);
        _pepperCache = new BoundedCache<(string, Epoch), PepperLookup>(4096, options.CacheTimeToLive, time);
        _keysBySlot = new BoundedCache<(string, SubjectEpoch), DataKey>(options.MaxCachedKeys, options.CacheTimeToLive, time);
        _keysById = new BoundedCache<(string, string), KeyLookup>(options.MaxCachedKeys, options.CacheTimeToLive, time);
    }

    public EpochSchedule Epochs { get; }

    public IdentifierNormalizer Normalizer { get; }

    /// <summary>
    /// Protects a batch; results in request order. Requires each request's tenant, event id and field path
    /// non-empty without NUL, and a value that is not blank (the exception names the field path, never the value).
    /// Throws <see cref="EpochAnonymisedException"/> if an event falls in an anonymised epoch (check with
    /// <see cref="IsEpochAnonymisedAsync"/> first to set such events apart).
    /// </summary>
    public async ValueTask<IReadOnlyList<ProtectedValue>> ProtectAsync(IReadOnlyList<ProtectionRequest> requests, CancellationToken ct = default)
    {
        var prepared = await PrepareCoreAsync(requests, ct);
        var results = new ProtectedValue[requests.Count];
        for (var i = 0; i < results.Length; i++)
        {
            results[i] = Seal(requests[i], prepared.Items[i], prepared.ItemPeppers[i], prepared.ItemKeys[i]);
        }

        return results;
    }

    public async ValueTask<ProtectedValue> ProtectAsync(ProtectionRequest request, CancellationToken ct = default) =>
        (await ProtectAsync([request], ct))[0];

    /// <summary>Loads or creates, in one round trip per tenant, everything <see cref="Protect"/> will need for these requests, into the cache.</summary>
    public async ValueTask PrepareAsync(IEnumerable<ProtectionRequest> requests, CancellationToken ct = default) =>
        await PrepareCoreAsync(requests as IReadOnlyList<ProtectionRequest> ?? [.. requests], ct);

    /// <summary>
    /// Protects one value synchronously from the cache. Requires a <see cref="PrepareAsync"/> of it shortly before
    /// (throws <see cref="InvalidOperationException"/> naming the field path when a key is not cached — under cache
    /// pressure that can happen; <see cref="ProtectAsync(IReadOnlyList{ProtectionRequest}, CancellationToken)"/> cannot fail so).
    /// </summary>
    public ProtectedValue Protect(ProtectionRequest request)
    {
        var item = Identify(request, subjectIndexKey: null);
        var pepper = _pepperCache.TryGet((request.Tenant, item.Epoch), out var p) ? p : null;
        if (pepper is PepperLookup.Destroyed)
        {
            throw new EpochAnonymisedException(request.Tenant, item.Epoch, request.FieldPath);
        }

        if (pepper is not PepperLookup.Live live || !_subjectIndexKeys.TryGet(request.Tenant, out var sik))
        {
            throw NotPrepared(request);
        }

        item = item with { Subject = SubjectId.Compute(sik, item.Identifier) };
        return _keysBySlot.TryGet((request.Tenant, new SubjectEpoch(item.Subject, item.Epoch)), out var key)
            ? Seal(request, item, live.Pepper, key)
            : throw NotPrepared(request);
    }

    /// <summary>Decrypts a batch; results in request order. Never throws for erased, unknown or altered values.</summary>
    public async ValueTask<IReadOnlyList<RevealResult>> RevealAsync(IReadOnlyList<RevealRequest> requests, CancellationToken ct = default)
    {
        var found = new Dictionary<(string, string), KeyLookup>();
        foreach (var tenant in requests.GroupBy(r => r.Tenant, StringComparer.Ordinal))
        {
            var missing = new HashSet<string>(StringComparer.Ordinal);
            foreach (var request in tenant)
            {
                if (!FieldCipher.TryReadKeyId(request.Ciphertext, out var keyId))
                {
                    continue;
                }

                if (_keysById.TryGet((tenant.Key, keyId), out var cached))
                {
                    found[(tenant.Key, keyId)] = cached;
                }
                else
                {
                    missing.Add(keyId);
                }
            }

            if (missing.Count == 0)
            {
                continue;
            }

            foreach (var (keyId, lookup) in await _keys.FindAsync(tenant.Key, missing, ct))
            {
                found[(tenant.Key, keyId)] = lookup;
                if (lookup is not KeyLookup.NotFound)
                {
                    _keysById.Set((tenant.Key, keyId), lookup);
                }
            }
        }

        return [.. requests.Select(r =>
            FieldCipher.TryReadKeyId(r.Ciphertext, out var keyId)
                ? FieldCipher.Decrypt(found.GetValueOrDefault((r.Tenant, keyId), KeyLookup.Unknown), r.Tenant, r.EventId, r.FieldPath, r.Ciphertext)
                : new RevealResult.Tampered(null, TamperReason.Malformed))];
    }

    public async ValueTask<RevealResult> RevealAsync(RevealRequest request, CancellationToken ct = default) =>
        (await RevealAsync([request], ct))[0];

    /// <summary>The pseudonym <paramref name="value"/> has in <paramref name="epoch"/> (to find a person's events in that epoch). Throws <see cref="EpochAnonymisedException"/> for an anonymised epoch.</summary>
    public async ValueTask<string> PseudonymAsync(string tenant, Epoch epoch, IdentifierKind kind, string value, CancellationToken ct = default)
    {
        var pepper = await PepperAsync(tenant, epoch, ct);
        return pepper is PepperLookup.Live live
            ? Pseudonyms.Compute(live.Pepper, epoch, Normalizer.Normalize(value, kind))
            : throw new EpochAnonymisedException(tenant, epoch);
    }

    /// <summary>The person's epoch-independent subject id (for data-subject requests).</summary>
    public async ValueTask<SubjectId> SubjectIdAsync(string tenant, IdentifierKind kind, string value, CancellationToken ct = default) =>
        SubjectId.Compute(await SubjectIndexKeyAsync(tenant, ct), Normalizer.Normalize(value, kind));

    /// <summary>
    /// A digest only this service can recompute, for text that may hold an identifier (the access log's filters):
    /// hex HMAC-SHA256 under a key derived (HKDF-SHA256, info <paramref name="label"/>) from the tenant's subject-index
    /// key. A plain hash of such text could be reversed by trying every phone number; this one cannot without the key.
    /// </summary>
    public async ValueTask<string> KeyedDigestAsync(string tenant, string label, string text, CancellationToken ct = default)
    {
        var subjectIndexKey = await SubjectIndexKeyAsync(tenant, ct);
        Span<byte> key = stackalloc byte[32];
        System.Security.Cryptography.HKDF.DeriveKey(
            System.Security.Cryptography.HashAlgorithmName.SHA256, subjectIndexKey, key, salt: [], info: System.Text.Encoding.UTF8.GetBytes(label));
        var digest = System.Security.Cryptography.HMACSHA256.HashData(key, System.Text.Encoding.UTF8.GetBytes(text));
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(key);
        return Convert.ToHexStringLower(digest);
    }

    /// <summary>Whether <paramref name="epoch"/> of the tenant was anonymised (creates its pepper if it has none yet).</summary>
    public async ValueTask<bool> IsEpochAnonymisedAsync(string tenant, Epoch epoch, CancellationToken ct = default) =>
        await PepperAsync(tenant, epoch, ct) is PepperLookup.Destroyed;

    /// <summary>
    /// Crypto-shreds one identifier of a person: destroys their data keys in every epoch, so every value ever
    /// encrypted for that identifier reads as erased; other people's values, in the same events too, stay readable.
    /// A person with several identifiers (a number, a third-party id, avatar ids) is shredded once per identifier.
    /// </summary>
    public async ValueTask<SubjectShredSummary> DestroySubjectAsync(string tenant, IdentifierKind kind, string identifier, DateTimeOffset at, CancellationToken ct = default) =>
        await DestroySubjectAsync(tenant, await SubjectIdAsync(tenant, kind, identifier, ct), at, ct);

    public async ValueTask<SubjectShredSummary> DestroySubjectAsync(string tenant, SubjectId subject, DateTimeOffset at, CancellationToken ct = default)
    {
        var destroyed = await _keys.DestroySubjectAsync(tenant, subject, at, ct);
        _keysBySlot.RemoveWhere(k => k.Tenant == tenant && k.Slot.Subject == subject);
        foreach (var key in destroyed)
        {
            _keysById.Set((tenant, key.KeyId), new KeyLookup.Destroyed(at));
        }

        return new SubjectShredSummary(tenant, destroyed, at);
    }

    /// <summary>
    /// Anonymises an epoch: destroys its pepper (its pseudonyms can no longer be linked to identifiers) and every
    /// data key of the epoch (its ciphertexts read as erased), without touching a single event. Closes the epoch:
    /// later events in it are refused with <see cref="EpochAnonymisedException"/>. Idempotent.
    /// </summary>
    public async ValueTask<EpochAnonymisationSummary> DestroyEpochAsync(string tenant, Epoch epoch, DateTimeOffset at, CancellationToken ct = default)
    {
        // The pepper first: from then on no new key can be created in the epoch.
        var pepperDestroyed = await _peppers.DestroyAsync(tenant, epoch, at, ct);
        _pepperCache.Set((tenant, epoch), new PepperLookup.Destroyed(at));
        var keys = await _keys.DestroyEpochAsync(tenant, epoch, at, ct);
        _keysBySlot.RemoveWhere(k => k.Tenant == tenant && k.Slot.Epoch == epoch);
        _keysById.RemoveWhere(k => k.Tenant == tenant);
        return new EpochAnonymisationSummary(tenant, epoch, pepperDestroyed, keys, at);
    }

    private async ValueTask<Prepared> PrepareCoreAsync(IReadOnlyList<ProtectionRequest> requests, CancellationToken ct)
    {
        var prepared = new Prepared(requests.Count);
        var subjectIndexKeys = new Dictionary<string, byte[]>(StringComparer.Ordinal);

        // A batch is nearly always one tenant and one epoch: the previous request's answers are checked first.
        string? sikTenant = null;
        byte[]? sik = null;
        string? pepperTenant = null;
        Epoch? pepperEpoch = null;
        byte[]? pepper = null;
        for (var i = 0; i < requests.Count; i++)
        {
            var request = requests[i];
            if (sik is null || !string.Equals(request.Tenant, sikTenant, StringComparison.Ordinal))
            {
                if (!subjectIndexKeys.TryGetValue(request.Tenant, out sik))
                {
                    FieldCipher.RequireContextPart(request.Tenant, nameof(request.Tenant));
                    sik = await SubjectIndexKeyAsync(request.Tenant, ct);
                    subjectIndexKeys[request.Tenant] = sik;
                }

                sikTenant = request.Tenant;
            }

            var item = Identify(request, sik);
            prepared.Items[i] = item;
            if (pepper is null || item.Epoch != pepperEpoch || !string.Equals(request.Tenant, pepperTenant, StringComparison.Ordinal))
            {
                if (!prepared.Peppers.TryGetValue((request.Tenant, item.Epoch), out pepper))
                {
                    pepper = await PepperAsync(request.Tenant, item.Epoch, ct) is PepperLookup.Live live
                        ? live.Pepper
                        : throw new EpochAnonymisedException(request.Tenant, item.Epoch, request.FieldPath);
                    prepared.Peppers[(request.Tenant, item.Epoch)] = pepper;
                }

                pepperTenant = request.Tenant;
                pepperEpoch = item.Epoch;
            }

            prepared.ItemPeppers[i] = pepper;
        }

        Dictionary<string, HashSet<SubjectEpoch>>? missing = null;
        List<int>? pending = null;
        for (var i = 0; i < requests.Count; i++)
        {
            // One cache lookup per value, no batch dictionary: only the keys the cache lacks are collected (deduplicated).
            var tenant = requests[i].Tenant;
            var slot = new SubjectEpoch(prepared.Items[i].Subject, prepared.Items[i].Epoch);
            if (_keysBySlot.TryGet((tenant, slot), out var cached))
            {
                prepared.ItemKeys[i] = cached;
                continue;
            }

            (pending ??= []).Add(i);
            missing ??= new Dictionary<string, HashSet<SubjectEpoch>>(StringComparer.Ordinal);
            (missing.TryGetValue(tenant, out var set) ? set : missing[tenant] = []).Add(slot);
        }

        if (missing is null || pending is null)
        {
            return prepared;
        }

        foreach (var (tenant, slots) in missing)
        {
            foreach (var (slot, key) in await _keys.GetOrCreateAsync(tenant, slots, ct))
            {
                prepared.Keys[(tenant, slot)] = key;
                _keysBySlot.Set((tenant, slot), key);
                _keysById.Set((tenant, key.KeyId), new KeyLookup.Found(key));
            }
        }

        foreach (var i in pending)
        {
            prepared.ItemKeys[i] = prepared.Keys[(requests[i].Tenant, new SubjectEpoch(prepared.Items[i].Subject, prepared.Items[i].Epoch))];
        }

        return prepared;
    }

    private Item Identify(ProtectionRequest request, byte[]? subjectIndexKey)
    {
        FieldCipher.RequireContextPart(request.Tenant, nameof(request.Tenant));
        FieldCipher.RequireContextPart(request.EventId, nameof(request.EventId));
        FieldCipher.RequireContextPart(request.FieldPath, nameof(request.FieldPath));
        if (string.IsNullOrWhiteSpace(request.Value))
        {
            throw new ArgumentException($"The value of field {request.FieldPath} of event {request.EventId} is blank: nothing to protect.", nameof(request));
        }

        var identifier = Normalizer.Normalize(request.Value, request.Kind);
        var subject = subjectIndexKey is null ? default : SubjectId.Compute(subjectIndexKey, identifier);
        return new Item(identifier, Epochs.EpochOf(request.EventTime), subject);
    }

    /// <summary>The value as received is what is encrypted (the record shows what was sent); the pseudonym is of its canonical form.</summary>
    private static ProtectedValue Seal(ProtectionRequest request, Item item, byte[] pepper, DataKey key) => new(
        Pseudonyms.Compute(pepper, item.Epoch, item.Identifier),
        FieldCipher.Encrypt(key, request.Tenant, request.EventId, request.FieldPath, request.Value),
        key.KeyId);

    private async ValueTask<byte[]> SubjectIndexKeyAsync(string tenant, CancellationToken ct)
    {
        if (_subjectIndexKeys.TryGet(tenant, out var key))
        {
            return key;
        }

        key = await _peppers.GetOrCreateSubjectIndexKeyAsync(tenant, ct);
        _subjectIndexKeys.Set(tenant, key);
        return key;
    }

    private async ValueTask<PepperLookup> PepperAsync(string tenant, Epoch epoch, CancellationToken ct)
    {
        if (_pepperCache.TryGet((tenant, epoch), out var pepper))
        {
            return pepper;
        }

        pepper = await _peppers.GetOrCreateAsync(tenant, epoch, ct);
        _pepperCache.Set((tenant, epoch), pepper);
        return pepper;
    }

    private static InvalidOperationException NotPrepared(ProtectionRequest request) =>
        new($"The keys for field {request.FieldPath} of event {request.EventId} are not cached: call PrepareAsync first, or use ProtectAsync.");

    private readonly record struct Item(NormalizedIdentifier Identifier, Epoch Epoch, SubjectId Subject);

    /// <summary>What a batch needs, per request (so that sealing looks nothing up) and per tenant, epoch and slot.</summary>
    private sealed class Prepared(int count)
    {
        public Item[] Items { get; } = new Item[count];

        public byte[][] ItemPeppers { get; } = new byte[count][];

        public DataKey[] ItemKeys { get; } = new DataKey[count];

        public Dictionary<(string Tenant, Epoch Epoch), byte[]> Peppers { get; } = [];

        /// <summary>The keys the store gave for the slots the cache lacked.</summary>
        public Dictionary<(string Tenant, SubjectEpoch Slot), DataKey> Keys { get; } = [];
    }
}
