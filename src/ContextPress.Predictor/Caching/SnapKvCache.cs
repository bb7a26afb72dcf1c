using static TorchSharp.torch;

namespace ContextPress.Predictor.Caching;

/// <summary>
/// SnapKV (arXiv 2404.14469) as kvpress' <c>SnapKVPress</c>: at prefill, the last <see cref="SnapKvOptions.WindowSize"/>
/// queries attend (causally, softmax over all keys) to the prompt; the attention each earlier key gets is averaged over
/// those queries, average-pooled (kernel 5), averaged over each KV head's query group, and the top
/// <c>int(T·(1 − ratio))</c> entries per KV head are kept, the window itself always among them. Decode steps append.
/// Keys keep their rotary positions; the next token's position is the number of tokens seen.
/// </summary>
/// <remarks>
/// Only the first forward pass (the prefill) is compressed. When <c>int(T·(1 − ratio))</c> is smaller than the window,
/// the whole window is kept (more than the ratio asks). The attention layer must hand over its queries
/// (<see cref="IQueryObservingKvCache"/>); <see cref="CausalLM.Forward"/> does.
/// </remarks>
public sealed class SnapKvCache : IQueryObservingKvCache
{
    private readonly SnapKvOptions _options;
    private readonly Tensor?[] _keys;
    private readonly Tensor?[] _values;
    private readonly Tensor?[] _positions;
    private readonly Tensor?[] _window;
    private readonly long[] _stored;
    private readonly long[] _lengths;

    /// <summary>Creates an empty cache for <paramref name="layers"/> layers.</summary>
    public SnapKvCache(int layers, SnapKvOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(layers);
        _options = (options ?? new SnapKvOptions()).Validate();
        _keys = new Tensor?[layers];
        _values = new Tensor?[layers];
        _positions = new Tensor?[layers];
        _window = new Tensor?[layers];
        _stored = new long[layers];
        _lengths = new long[layers];
    }

    /// <inheritdoc />
    public long Length => _lengths[0];

    /// <inheritdoc />
    public long StoredLength => _stored[0];

    /// <inheritdoc />
    public long StorageBytes => Enumerable.Range(0, _stored.Length)
        .Sum(i => _keys[i] is { } k ? 2 * _stored[i] * (k.NumberOfElements / k.shape[2]) * k.ElementSize : 0);

    /// <summary>The token positions <paramref name="layer"/> holds for one KV head, ascending.</summary>
    public long[] PositionsOf(int layer, int batchIndex = 0, int kvHead = 0)
    {
        if (_positions[layer] is not { } p)
        {
            return [];
        }
        using var scope = NewDisposeScope();
        return p[batchIndex, kvHead].narrow(0, 0, _stored[layer]).cpu().data<long>().ToArray().Order().ToArray();
    }

    /// <inheritdoc />
    public void ObserveQueries(int layer, Tensor queries)
    {
        ArgumentNullException.ThrowIfNull(queries);
        if (_lengths[layer] != 0)
        {
            return; // only the prefill is compressed
        }
        var t = queries.shape[2];
        var w = Math.Min(_options.WindowSize, t);
        _window[layer]?.Dispose();
        _window[layer] = queries.narrow(2, t - w, w).clone().DetachFromDisposeScope();
    }

    /// <inheritdoc />
    public (Tensor Key, Tensor Value) Update(int layer, Tensor key, Tensor value)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        using var scope = NewDisposeScope();
        var stored = _stored[layer];
        var seen = _lengths[layer];
        var t = key.shape[2];
        var result = stored == 0
            ? (key.alias(), value.alias())
            : (cat([_keys[layer]!.narrow(2, 0, stored), key], 2), cat([_values[layer]!.narrow(2, 0, stored), value], 2));
        var positions = arange(seen, seen + t, dtype: ScalarType.Int64, device: key.device).expand(key.shape[0], key.shape[1], t);
        if (seen == 0 && _options.CompressionRatio > 0)
        {
            var kept = Select(layer, key);
            var index = kept.unsqueeze(-1).expand(-1, -1, -1, key.shape[3]);
            Append(layer, key.gather(2, index), value.gather(2, index), kept);
        }
        else
        {
            Append(layer, key, value, positions);
        }
        _window[layer]?.Dispose();
        _window[layer] = null;
        _lengths[layer] = seen + t;
        return (result.Item1.MoveToOuterDisposeScope(), result.Item2.MoveToOuterDisposeScope());
    }

    /// <summary>Indices [B, kvHeads, kept] (ascending) of the prefill entries to keep.</summary>
    private Tensor Select(int layer, Tensor key)
    {
        var window = _window[layer] ?? throw new InvalidOperationException(
            $"SnapKV needs the prefill queries of layer {layer}: call {nameof(ObserveQueries)} before {nameof(Update)}.");
        var (b, kvHeads, t, d) = (key.shape[0], key.shape[1], key.shape[2], key.shape[3]);
        var w = window.shape[2];
        var keep = Math.Max((long)(t * (1 - _options.CompressionRatio)), w);
        if (keep >= t || w >= t)
        {
            return arange(t, dtype: ScalarType.Int64, device: key.device).expand(b, kvHeads, t);
        }
        var heads = window.shape[1];
        var groups = heads / kvHeads;
        var keys = groups > 1 ? key.repeat_interleave(groups, dim: 1) : key;
        var logits = matmul(window.to_type(ScalarType.Float32), keys.to_type(ScalarType.Float32).transpose(2, 3)) / Math.Sqrt(d);
        // Window query i sits at position t − w + i and sees keys up to it.
        var causal = ones(w, t, ScalarType.Bool, key.device).triu(t - w + 1);
        var attention = logits.masked_fill(causal, float.NegativeInfinity).softmax(-1).narrow(-1, 0, t - w);
        var scores = attention.mean([2]);
        scores = nn.functional.avg_pool1d(scores, _options.KernelSize, stride: 1, padding: _options.KernelSize / 2);
        scores = scores.view(b, kvHeads, groups, t - w).mean([2]);
        var forced = full([b, kvHeads, w], scores.max().item<float>() + 1, ScalarType.Float32, key.device);
        var (_, indices) = cat([scores, forced], -1).topk((int)keep, dim: -1);
        return indices.sort(-1).Values;
    }

    private void Append(int layer, Tensor key, Tensor value, Tensor positions)
    {
        var stored = _stored[layer];
        var t = key.shape[2];
        if (_keys[layer] is null || stored + t > _keys[layer]!.shape[2])
        {
            // Grow by doubling so decode steps copy only their own entry.
            var capacity = Math.Max(stored + t, 2 * (_keys[layer]?.shape[2] ?? 0));
            _keys[layer] = Grow(_keys[layer], stored, capacity, key);
            _values[layer] = Grow(_values[layer], stored, capacity, value);
            var grown = zeros([key.shape[0], key.shape[1], capacity], ScalarType.Int64, key.device);
            if (_positions[layer] is { } old)
            {
                grown.narrow(2, 0, stored).copy_(old.narrow(2, 0, stored));
                old.Dispose();
            }
            _positions[layer] = grown.DetachFromDisposeScope();
        }
        _keys[layer]!.narrow(2, stored, t).copy_(key);
        _values[layer]!.narrow(2, stored, t).copy_(value);
        _positions[layer]!.narrow(2, stored, t).copy_(positions);
        _stored[layer] = stored + t;
    }

    private static Tensor Grow(Tensor? old, long stored, long capacity, Tensor like)
    {
        var grown = zeros([like.shape[0], like.shape[1], capacity, like.shape[3]], like.dtype, like.device);
        if (old is not null)
        {
            grown.narrow(2, 0, stored).copy_(old.narrow(2, 0, stored));
            old.Dispose();
        }
        return grown.DetachFromDisposeScope();
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
        foreach (var t in _keys.Concat(_values).Concat(_positions).Concat(_window))
        {
            t?.Dispose();
        }
    }
}
