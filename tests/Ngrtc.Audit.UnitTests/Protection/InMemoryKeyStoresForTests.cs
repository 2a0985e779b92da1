using System.Security.Cryptography;
using Ngrtc.Audit.Protection;

namespace Ngrtc.Audit.UnitTests.Protection;

/// <summary>
/// TEST HELPER ONLY: the key and pepper stores in memory, wrapping through a real KEK provider, with the same
/// semantics as the PostgreSQL stores (destroyed rows keep their id and lose material and subject; destroyed
/// epochs stay closed). Production uses Ngrtc.Audit.Protection.Postgres; there is deliberately no in-memory
/// store in the library.
/// </summary>
internal sealed class InMemoryKeyStoresForTests(IKeyEncryptionKeyProvider keks) : ISubjectKeyStore, IPepperStore
{
    private Lock _gate = new();
    private List<KeyRow> _keys = [];
    private Dictionary<(string Tenant, string Epoch), PepperRow> _peppers = [];
    private Dictionary<string, WrappedKey> _indexKeys = new(StringComparer.Ordinal);

    /// <summary>The same rows through another KEK provider, as after a configuration change and a restart.</summary>
    public InMemoryKeyStoresForTests WithProvider(IKeyEncryptionKeyProvider other) =>
        new(other) { _gate = _gate, _keys = _keys, _peppers = _peppers, _indexKeys = _indexKeys };

    public int GetOrCreateCalls { get; private set; }

    public int FindCalls { get; private set; }

    public IReadOnlyList<KeyRow> KeyRows
    {
        get
        {
            lock (_gate)
            {
                return [.. _keys];
            }
        }
    }

    public async ValueTask<IReadOnlyDictionary<SubjectEpoch, DataKey>> GetOrCreateAsync(string tenant, IReadOnlyCollection<SubjectEpoch> slots, CancellationToken ct = default)
    {
        GetOrCreateCalls++;
        var result = new Dictionary<SubjectEpoch, DataKey>();
        foreach (var slot in slots)
        {
            KeyRow? row;
            lock (_gate)
            {
                if (_peppers.TryGetValue((tenant, slot.Epoch.Label), out var pepper) && pepper.DestroyedAt is not null)
                {
                    throw new EpochAnonymisedException(tenant, slot.Epoch);
                }

                row = _keys.SingleOrDefault(k => k.Tenant == tenant && k.Subject == slot.Subject.Value && k.Epoch == slot.Epoch.Label);
            }

            if (row is null)
            {
                var keyId = KeyIds.New();
                var material = RandomNumberGenerator.GetBytes(DataKey.Size);
                row = new KeyRow(tenant, keyId, slot.Subject.Value, slot.Epoch.Label, await keks.WrapAsync(tenant, null, material, "subject-key:" + keyId, ct), null);
                lock (_gate)
                {
                    _keys.Add(row);
                }
            }

            result[slot] = new DataKey(row.KeyId, await keks.UnwrapAsync(tenant, row.Wrapped!, "subject-key:" + row.KeyId, ct));
        }

        return result;
    }

    public async ValueTask<IReadOnlyDictionary<string, KeyLookup>> FindAsync(string tenant, IReadOnlyCollection<string> keyIds, CancellationToken ct = default)
    {
        FindCalls++;
        var result = new Dictionary<string, KeyLookup>(StringComparer.Ordinal);
        foreach (var keyId in keyIds)
        {
            KeyRow? row;
            lock (_gate)
            {
                row = _keys.SingleOrDefault(k => k.Tenant == tenant && k.KeyId == keyId);
            }

            result[keyId] = row switch
            {
                null => KeyLookup.Unknown,
                { Wrapped: null } => new KeyLookup.Destroyed(row.DestroyedAt!.Value),
                _ => new KeyLookup.Found(new DataKey(keyId, await keks.UnwrapAsync(tenant, row.Wrapped, "subject-key:" + keyId, ct))),
            };
        }

        return result;
    }

    public ValueTask<IReadOnlyList<DestroyedKey>> DestroySubjectAsync(string tenant, SubjectId subject, DateTimeOffset at, CancellationToken ct = default)
    {
        lock (_gate)
        {
            var destroyed = new List<DestroyedKey>();
            for (var i = 0; i < _keys.Count; i++)
            {
                if (_keys[i].Tenant == tenant && _keys[i].Subject == subject.Value)
                {
                    destroyed.Add(new DestroyedKey(_keys[i].KeyId, new Epoch(_keys[i].Epoch)));
                    _keys[i] = _keys[i] with { Subject = null, Wrapped = null, DestroyedAt = at };
                }
            }

            return ValueTask.FromResult<IReadOnlyList<DestroyedKey>>(destroyed);
        }
    }

    public ValueTask<int> DestroyEpochAsync(string tenant, Epoch epoch, DateTimeOffset at, CancellationToken ct = default)
    {
        lock (_gate)
        {
            var count = 0;
            for (var i = 0; i < _keys.Count; i++)
            {
                if (_keys[i].Tenant == tenant && _keys[i].Epoch == epoch.Label && _keys[i].Wrapped is not null)
                {
                    _keys[i] = _keys[i] with { Subject = null, Wrapped = null, DestroyedAt = at };
                    count++;
                }
            }

            return ValueTask.FromResult(count);
        }
    }

    public ValueTask<IReadOnlyList<string>> ListWrappedUnderOtherKekAsync(string tenant, string kekId, int limit, CancellationToken ct = default)
    {
        lock (_gate)
        {
            return ValueTask.FromResult<IReadOnlyList<string>>(
                [.. _keys.Where(k => k.Tenant == tenant && k.Wrapped is not null && k.Wrapped.KekId != kekId).Take(limit).Select(k => k.KeyId)]);
        }
    }

    public async ValueTask<int> RewrapAsync(string tenant, IReadOnlyCollection<string> keyIds, string kekId, CancellationToken ct = default)
    {
        var count = 0;
        foreach (var keyId in keyIds)
        {
            int index;
            lock (_gate)
            {
                index = _keys.FindIndex(k => k.Tenant == tenant && k.KeyId == keyId && k.Wrapped is not null && k.Wrapped.KekId != kekId);
            }

            if (index < 0)
            {
                continue;
            }

            var material = await keks.UnwrapAsync(tenant, _keys[index].Wrapped!, "subject-key:" + keyId, ct);
            var wrapped = await keks.WrapAsync(tenant, kekId, material, "subject-key:" + keyId, ct);
            lock (_gate)
            {
                _keys[index] = _keys[index] with { Wrapped = wrapped };
            }

            count++;
        }

        return count;
    }

    public async ValueTask<PepperLookup> GetOrCreateAsync(string tenant, Epoch epoch, CancellationToken ct = default)
    {
        PepperRow? row;
        lock (_gate)
        {
            _peppers.TryGetValue((tenant, epoch.Label), out row);
        }

        if (row is null)
        {
            row = new PepperRow(await keks.WrapAsync(tenant, null, RandomNumberGenerator.GetBytes(32), "pepper:" + epoch.Label, ct), null);
            lock (_gate)
            {
                row = _peppers.TryAdd((tenant, epoch.Label), row) ? row : _peppers[(tenant, epoch.Label)];
            }
        }

        return row.Wrapped is null
            ? new PepperLookup.Destroyed(row.DestroyedAt!.Value)
            : new PepperLookup.Live(await keks.UnwrapAsync(tenant, row.Wrapped, "pepper:" + epoch.Label, ct));
    }

    public ValueTask<bool> DestroyAsync(string tenant, Epoch epoch, DateTimeOffset at, CancellationToken ct = default)
    {
        lock (_gate)
        {
            var wasLive = _peppers.TryGetValue((tenant, epoch.Label), out var row) && row.Wrapped is not null;
            _peppers[(tenant, epoch.Label)] = new PepperRow(null, row?.DestroyedAt ?? at);
            return ValueTask.FromResult(wasLive);
        }
    }

    public async ValueTask<byte[]> GetOrCreateSubjectIndexKeyAsync(string tenant, CancellationToken ct = default)
    {
        WrappedKey? wrapped;
        lock (_gate)
        {
            _indexKeys.TryGetValue(tenant, out wrapped);
        }

        if (wrapped is null)
        {
            wrapped = await keks.WrapAsync(tenant, null, RandomNumberGenerator.GetBytes(32), "subject-index", ct);
            lock (_gate)
            {
                wrapped = _indexKeys.TryAdd(tenant, wrapped) ? wrapped : _indexKeys[tenant];
            }
        }

        return await keks.UnwrapAsync(tenant, wrapped, "subject-index", ct);
    }

    public async ValueTask<int> RewrapAsync(string tenant, string kekId, CancellationToken ct = default)
    {
        var count = 0;
        List<(string Epoch, WrappedKey Wrapped)> peppers;
        lock (_gate)
        {
            peppers = [.. _peppers.Where(p => p.Key.Tenant == tenant && p.Value.Wrapped is not null && p.Value.Wrapped.KekId != kekId).Select(p => (p.Key.Epoch, p.Value.Wrapped!))];
        }

        foreach (var (epoch, old) in peppers)
        {
            var secret = await keks.UnwrapAsync(tenant, old, "pepper:" + epoch, ct);
            var wrapped = await keks.WrapAsync(tenant, kekId, secret, "pepper:" + epoch, ct);
            lock (_gate)
            {
                _peppers[(tenant, epoch)] = new PepperRow(wrapped, null);
            }

            count++;
        }

        if (_indexKeys.TryGetValue(tenant, out var index) && index.KekId != kekId)
        {
            var secret = await keks.UnwrapAsync(tenant, index, "subject-index", ct);
            _indexKeys[tenant] = await keks.WrapAsync(tenant, kekId, secret, "subject-index", ct);
            count++;
        }

        return count;
    }

    internal sealed record KeyRow(string Tenant, string KeyId, string? Subject, string Epoch, WrappedKey? Wrapped, DateTimeOffset? DestroyedAt);

    private sealed record PepperRow(WrappedKey? Wrapped, DateTimeOffset? DestroyedAt);
}
