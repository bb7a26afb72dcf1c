using static TorchSharp.torch;

namespace ContextPress.Predictor.Caching;

/// <summary>
/// StreamingLLM (arXiv 2309.17453): keeps the first <see cref="SinkTokens"/> tokens (attention sinks) and the most recent
/// ones, never more than <see cref="Capacity"/> entries per layer. Keys keep the rotary positions they were computed at
/// (kvpress' default; the paper re-rotates), and new tokens continue at the number of tokens seen. Storage is a fixed ring:
/// a decode step overwrites the oldest non-sink entry in place.
/// </summary>
public sealed class StreamingKvCache : IKvCache
{
    private readonly Tensor?[] _keys;
    private readonly Tensor?[] _values;
    private readonly long[][] _positions;
    private readonly long[] _stored;
    private readonly long[] _next;
    private readonly long[] _lengths;

    /// <summary>Creates a cache keeping at most <paramref name="capacity"/> entries per layer, <paramref name="sinkTokens"/> of them the first tokens.</summary>
    public StreamingKvCache(int layers, long capacity, int sinkTokens = 4)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(layers);
        ArgumentOutOfRangeException.ThrowIfNegative(sinkTokens);
        if (capacity <= sinkTokens)
        {
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, $"The capacity must exceed the {sinkTokens} sink tokens.");
        }
        Capacity = capacity;
        SinkTokens = sinkTokens;
        _keys = new Tensor?[layers];
        _values = new Tensor?[layers];
        _positions = Enumerable.Range(0, layers).Select(_ => new long[capacity]).ToArray();
        _stored = new long[layers];
        _next = new long[layers];
        _lengths = new long[layers];
    }

    /// <summary>Most entries kept per layer.</summary>
    public long Capacity { get; }

    /// <summary>First tokens always kept.</summary>
    public int SinkTokens { get; }

    /// <inheritdoc />
    public long Length => _lengths[0];

    /// <inheritdoc />
    public long StoredLength => _stored[0];

    /// <inheritdoc />
    public long StorageBytes => Enumerable.Range(0, _stored.Length)
        .Sum(i => _keys[i] is { } k ? 2 * _stored[i] * (k.NumberOfElements / Capacity) * k.ElementSize : 0);

    /// <summary>The token positions <paramref name="layer"/> holds, ascending.</summary>
    public long[] PositionsOf(int layer) => _positions[layer].Take((int)_stored[layer]).Order().ToArray();

    /// <inheritdoc />
    public (Tensor Key, Tensor Value) Update(int layer, Tensor key, Tensor value)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        using var scope = NewDisposeScope();
        var stored = _stored[layer];
        var t = key.shape[2];
        var result = stored == 0
            ? (key.alias(), value.alias())
            : (cat([_keys[layer]!.narrow(2, 0, stored), key], 2), cat([_values[layer]!.narrow(2, 0, stored), value], 2));
        if (_keys[layer] is null)
        {
            long[] shape = [key.shape[0], key.shape[1], Capacity, key.shape[3]];
            _keys[layer] = zeros(shape, key.dtype, key.device).DetachFromDisposeScope();
            _values[layer] = zeros(shape, value.dtype, value.device).DetachFromDisposeScope();
        }
        var seen = _lengths[layer];
        if (stored + t <= Capacity)
        {
            _keys[layer]!.narrow(2, stored, t).copy_(key);
            _values[layer]!.narrow(2, stored, t).copy_(value);
            for (var i = 0; i < t; i++)
            {
                _positions[layer][stored + i] = seen + i;
            }
            _stored[layer] = stored + t;
            _next[layer] = SinkTokens;
        }
        else if (t == 1)
        {
            // Full ring: the slot after the last one written holds the oldest non-sink entry.
            var slot = _next[layer];
            _keys[layer]!.narrow(2, slot, 1).copy_(key);
            _values[layer]!.narrow(2, slot, 1).copy_(value);
            _positions[layer][slot] = seen;
            _next[layer] = slot + 1 == Capacity ? SinkTokens : slot + 1;
        }
        else
        {
            Rebuild(layer, result.Item1, result.Item2, stored, seen, t);
        }
        _lengths[layer] = seen + t;
        return (result.Item1.MoveToOuterDisposeScope(), result.Item2.MoveToOuterDisposeScope());
    }

    /// <summary>Several tokens overflow the ring: keep the sinks and the most recent of stored + new, in order.</summary>
    private void Rebuild(int layer, Tensor keys, Tensor values, long stored, long seen, long t)
    {
        var positions = _positions[layer].Take((int)stored).Concat(Enumerable.Range(0, (int)t).Select(i => seen + i)).ToArray();
        var chronological = Enumerable.Range(0, positions.Length).OrderBy(i => positions[i]).ToArray();
        var recent = Capacity - SinkTokens;
        var keep = chronological.Take(SinkTokens).Concat(chronological.Skip(chronological.Length - (int)recent)).ToArray();
        var index = tensor(keep.Select(i => (long)i).ToArray(), ScalarType.Int64).to(keys.device);
        _keys[layer]!.copy_(keys.index_select(2, index));
        _values[layer]!.copy_(values.index_select(2, index));
        for (var i = 0; i < keep.Length; i++)
        {
            _positions[layer][i] = positions[keep[i]];
        }
        _stored[layer] = Capacity;
        _next[layer] = SinkTokens;
    }

    /// <inheritdoc />
    public void Clear()
    {
        Array.Clear(_stored);
        Array.Clear(_lengths);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var t in _keys.Concat(_values))
        {
            t?.Dispose();
        }
    }
}
