using ContextPress.Diagnostics;

namespace ContextPress.Segments;

/// <summary>
/// The default <see cref="ISegmentCache"/>: a process-local least-recently-used cache bounded in bytes, with a time
/// to live per entry. Thread-safe; one instance serves every compressor of the process.
/// </summary>
public sealed class InMemorySegmentCache : ISegmentCache
{
    /// <summary>Bytes counted per entry on top of its strings: node, dictionary slot, key and value objects.</summary>
    internal const int EntryOverheadBytes = 160;

    private static readonly KeyValuePair<string, object?> s_tag = new("contextpress.cache", "memory");

    private readonly Lock _gate = new();
    private readonly Dictionary<SegmentCacheKey, LinkedListNode<Entry>> _entries = [];
    private readonly LinkedList<Entry> _recency = new(); // most recently used first
    private readonly TimeProvider _timeProvider;
    private long _bytes;

    /// <summary>Initializes a new instance of the <see cref="InMemorySegmentCache"/> class.</summary>
    /// <param name="options">The byte bound and default time to live; defaults when null.</param>
    /// <param name="timeProvider">The clock expiry is measured with; <see cref="TimeProvider.System"/> when null.</param>
    public InMemorySegmentCache(InMemorySegmentCacheOptions? options = null, TimeProvider? timeProvider = null)
    {
        options ??= new InMemorySegmentCacheOptions();
        options.Validate();
        MaxBytes = options.MaxBytes;
        DefaultTimeToLive = options.DefaultTimeToLive;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Gets the most bytes the entries may take.</summary>
    public long MaxBytes { get; }

    /// <summary>Gets the time to live of entries written without one; null for no expiry.</summary>
    public TimeSpan? DefaultTimeToLive { get; }

    /// <summary>Gets the number of entries (expired ones included until they are touched or evicted).</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>Gets the estimated bytes the entries take; never more than <see cref="MaxBytes"/>.</summary>
    public long SizeBytes
    {
        get
        {
            lock (_gate)
            {
                return _bytes;
            }
        }
    }

    /// <summary>Estimates the bytes an entry takes, as counted against <see cref="MaxBytes"/>.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value.</param>
    /// <returns>The estimate.</returns>
    public static long EstimateBytes(SegmentCacheKey key, CachedSegment value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return EntryOverheadBytes + (2L * (key.Namespace.Length + key.Id.Length + value.Text.Length));
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<CachedSegment?>> GetManyAsync(IReadOnlyList<SegmentCacheKey> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        cancellationToken.ThrowIfCancellationRequested();
        var results = new CachedSegment?[keys.Count];
        long now = _timeProvider.GetTimestamp();
        lock (_gate)
        {
            for (int i = 0; i < keys.Count; i++)
            {
                if (!_entries.TryGetValue(keys[i], out LinkedListNode<Entry>? node))
                {
                    continue;
                }

                if (node.Value.ExpiresAt <= now)
                {
                    Remove(node);
                    continue;
                }

                _recency.Remove(node);
                _recency.AddFirst(node);
                results[i] = node.Value.Value;
            }
        }

        return ValueTask.FromResult<IReadOnlyList<CachedSegment?>>(results);
    }

    /// <inheritdoc />
    public ValueTask SetManyAsync(IReadOnlyList<SegmentCacheEntry> entries, TimeSpan? timeToLive = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (timeToLive is { } given && given <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(timeToLive), given, "The time to live must be positive.");
        }

        cancellationToken.ThrowIfCancellationRequested();
        TimeSpan? ttl = timeToLive ?? DefaultTimeToLive;
        long now = _timeProvider.GetTimestamp();
        long expiresAt = ttl is { } span ? SaturatingAdd(now, (long)(span.TotalSeconds * _timeProvider.TimestampFrequency)) : long.MaxValue;
        long evicted = 0;
        lock (_gate)
        {
            foreach (SegmentCacheEntry entry in entries)
            {
                ArgumentNullException.ThrowIfNull(entry.Value, nameof(entries));
                long size = EstimateBytes(entry.Key, entry.Value);
                if (_entries.TryGetValue(entry.Key, out LinkedListNode<Entry>? existing))
                {
                    Remove(existing);
                }

                if (size > MaxBytes)
                {
                    continue; // could never fit; storing it would empty the cache for nothing
                }

                LinkedListNode<Entry> node = _recency.AddFirst(new Entry(entry.Key, entry.Value, size, expiresAt));
                _entries[entry.Key] = node;
                _bytes += size;
                while (_bytes > MaxBytes && _recency.Last is { } last)
                {
                    Remove(last);
                    evicted++;
                }
            }
        }

        if (evicted > 0)
        {
            ContextPressTelemetry.SegmentCacheEvictions.Add(evicted, s_tag);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Removes every entry.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _entries.Clear();
            _recency.Clear();
            _bytes = 0;
        }
    }

    private static long SaturatingAdd(long a, long b) => b > long.MaxValue - a ? long.MaxValue : a + b;

    private void Remove(LinkedListNode<Entry> node)
    {
        _recency.Remove(node);
        _entries.Remove(node.Value.Key);
        _bytes -= node.Value.Size;
    }

    private sealed record Entry(SegmentCacheKey Key, CachedSegment Value, long Size, long ExpiresAt);
}
