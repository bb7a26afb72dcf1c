using static TorchSharp.torch;

namespace ContextPress.Predictor.Caching;

/// <summary>
/// A dense cache with storage preallocated for <see cref="Capacity"/> positions per layer: appending copies into place
/// and attention reads a view, so a decode step allocates nothing.
/// </summary>
public sealed class DenseKvCache : IKvCache
{
    private readonly Tensor[] _keys;
    private readonly Tensor[] _values;
    private readonly long[] _lengths;

    /// <summary>Allocates storage for <paramref name="capacity"/> positions.</summary>
    public DenseKvCache(int layers, long batch, int kvHeads, int headDim, long capacity, ScalarType dtype, Device? device = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(layers);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        Capacity = capacity;
        _keys = new Tensor[layers];
        _values = new Tensor[layers];
        _lengths = new long[layers];
        for (var i = 0; i < layers; i++)
        {
            _keys[i] = zeros([batch, kvHeads, capacity, headDim], dtype, device).DetachFromDisposeScope();
            _values[i] = zeros([batch, kvHeads, capacity, headDim], dtype, device).DetachFromDisposeScope();
        }
    }

    /// <summary>Creates a cache sized for <paramref name="model"/>, on its device and in its dtype.</summary>
    public static DenseKvCache For(CausalLM model, long capacity, long batch = 1)
    {
        ArgumentNullException.ThrowIfNull(model);
        var c = model.Config;
        return new DenseKvCache(c.NumHiddenLayers, batch, c.KeyValueHeads, c.HeadDimension, capacity, model.DType, model.Device);
    }

    /// <summary>Positions the storage holds at most.</summary>
    public long Capacity { get; }

    /// <inheritdoc />
    public long Length => _lengths[0];

    /// <inheritdoc />
    public long StoredLength => _lengths[0];

    /// <inheritdoc />
    /// <remarks>Counts the positions held; the preallocated storage is <see cref="Capacity"/> positions.</remarks>
    public long StorageBytes => _lengths.Select((length, i) => 2 * length * _keys[i].NumberOfElements / Capacity * _keys[i].ElementSize).Sum();

    /// <inheritdoc />
    public (Tensor Key, Tensor Value) Update(int layer, Tensor key, Tensor value)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        var start = _lengths[layer];
        var count = key.shape[2];
        if (start + count > Capacity)
        {
            throw new InvalidOperationException($"The KV cache holds {Capacity} positions; {start} + {count} do not fit.");
        }
        _keys[layer].narrow(2, start, count).copy_(key);
        _values[layer].narrow(2, start, count).copy_(value);
        _lengths[layer] = start + count;
        return (_keys[layer].narrow(2, 0, start + count), _values[layer].narrow(2, 0, start + count));
    }

    /// <inheritdoc />
    public void Clear() => Array.Clear(_lengths);

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var t in _keys)
        {
            t.Dispose();
        }
        foreach (var t in _values)
        {
            t.Dispose();
        }
    }
}
