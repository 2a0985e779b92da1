namespace Ngrtc.Audit.Protection;

/// <summary>
/// A bounded cache with a time to live: two generations of at most capacity/2 entries each; when the young one
/// fills, it becomes the old one and the old one is dropped (an approximate LRU in O(1), no per-entry bookkeeping).
/// A hit in the old generation moves the entry to the young one. One lock: every operation is a dictionary lookup.
/// </summary>
internal sealed class BoundedCache<TKey, TValue>
    where TKey : notnull
{
    private readonly int _generationSize;
    private readonly long _timeToLive;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private Dictionary<TKey, (TValue Value, long Expires)> _young = new();
    private Dictionary<TKey, (TValue Value, long Expires)> _old = new();

    /// <summary>Requires 2 ≤ <paramref name="capacity"/> and a positive time to live.</summary>
    public BoundedCache(int capacity, TimeSpan timeToLive, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 2);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeToLive, TimeSpan.Zero);
        _generationSize = capacity / 2;
        _time = time;
        _timeToLive = (long)(timeToLive.TotalSeconds * time.TimestampFrequency);
    }

    public bool TryGet(TKey key, out TValue value)
    {
        var now = _time.GetTimestamp();
        lock (_gate)
        {
            if (_young.TryGetValue(key, out var entry) && entry.Expires > now)
            {
                value = entry.Value;
                return true;
            }

            if (_old.Remove(key, out entry) && entry.Expires > now)
            {
                AddYoung(key, entry);
                value = entry.Value;
                return true;
            }
        }

        value = default!;
        return false;
    }

    public void Set(TKey key, TValue value)
    {
        var entry = (value, _time.GetTimestamp() + _timeToLive);
        lock (_gate)
        {
            _old.Remove(key);
            AddYoung(key, entry);
        }
    }

    public void Remove(TKey key)
    {
        lock (_gate)
        {
            _young.Remove(key);
            _old.Remove(key);
        }
    }

    /// <summary>O(capacity): for the rare destruction paths only.</summary>
    public void RemoveWhere(Func<TKey, bool> predicate)
    {
        lock (_gate)
        {
            foreach (var key in _young.Keys.Where(predicate).ToList())
            {
                _young.Remove(key);
            }

            foreach (var key in _old.Keys.Where(predicate).ToList())
            {
                _old.Remove(key);
            }
        }
    }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _young.Count + _old.Count;
            }
        }
    }

    private void AddYoung(TKey key, (TValue Value, long Expires) entry)
    {
        _young[key] = entry;
        if (_young.Count >= _generationSize)
        {
            _old = _young;
            _young = new Dictionary<TKey, (TValue Value, long Expires)>(_generationSize);
        }
    }
}
