using static TorchSharp.torch;

namespace ContextPress.Predictor.Caching;

/// <summary>
/// KIVI (arXiv 2402.02750): keys quantized per channel (groups of G tokens share a scale and minimum per channel), values
/// per token (groups of G channels), with a full-precision residual. Keys accumulate in full precision until R tokens,
/// then the block is quantized; values keep a sliding window of the last R tokens and the oldest leaving it is quantized.
/// A prefill quantizes the largest multiple of R keys and all but the last R values. <see cref="IKvCache.Update"/>
/// dequantizes on every call (no fused kernel here), so this trades speed for memory. Each layer keeps one block of
/// quantized keys and one of values, extended as tokens leave the residual.
/// </summary>
public sealed class KiviKvCache : IKvCache
{
    private readonly KiviOptions _options;
    private readonly long _valueGroup;
    private readonly ScalarType _dtype;
    private readonly QuantizedKv?[] _keyBlocks;
    private readonly QuantizedKv?[] _valueBlocks;
    private readonly Tensor?[] _keyResidual;
    private readonly Tensor?[] _valueResidual;
    private readonly long[] _lengths;

    /// <summary>Creates an empty cache for <paramref name="layers"/> layers of <paramref name="headDim"/>-wide heads.</summary>
    public KiviKvCache(int layers, int headDim, ScalarType dtype, KiviOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(layers);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(headDim);
        _options = (options ?? new KiviOptions()).Validate();
        // Channel groups cannot be wider than a head (stories260K has 8-wide heads).
        _valueGroup = Math.Min(_options.GroupSize, headDim);
        if (headDim % _valueGroup != 0)
        {
            throw new ArgumentException($"Head dimension {headDim} is not a multiple of the channel group {_valueGroup}.", nameof(headDim));
        }
        if (headDim % (8 / _options.Bits) != 0)
        {
            throw new ArgumentException($"Head dimension {headDim} is not a multiple of {8 / _options.Bits} ({_options.Bits}-bit codes are packed per byte).", nameof(headDim));
        }
        _dtype = dtype;
        _keyBlocks = new QuantizedKv?[layers];
        _valueBlocks = new QuantizedKv?[layers];
        _keyResidual = new Tensor?[layers];
        _valueResidual = new Tensor?[layers];
        _lengths = new long[layers];
    }

    /// <summary>Creates a cache for <paramref name="model"/>'s layers and dtype.</summary>
    public static KiviKvCache For(CausalLM model, KiviOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new KiviKvCache(model.Config.NumHiddenLayers, model.Config.HeadDimension, model.DType, options);
    }

    /// <summary>The settings.</summary>
    public KiviOptions Options => _options;

    /// <inheritdoc />
    public long Length => _lengths[0];

    /// <inheritdoc />
    public long StoredLength => _lengths[0];

    /// <inheritdoc />
    public long StorageBytes
    {
        get
        {
            long bytes = 0;
            for (var i = 0; i < _lengths.Length; i++)
            {
                bytes += (_keyBlocks[i]?.Bytes ?? 0) + (_valueBlocks[i]?.Bytes ?? 0) + Bytes(_keyResidual[i]) + Bytes(_valueResidual[i]);
            }
            return bytes;
        }
    }

    /// <summary>Keys of <paramref name="layer"/> held in full precision (T mod R after T tokens).</summary>
    public long ResidualKeyCount(int layer) => _keyResidual[layer]?.shape[2] ?? 0;

    /// <summary>Values of <paramref name="layer"/> held in full precision (min(T, R) after T tokens).</summary>
    public long ResidualValueCount(int layer) => _valueResidual[layer]?.shape[2] ?? 0;

    /// <inheritdoc />
    public (Tensor Key, Tensor Value) Update(int layer, Tensor key, Tensor value)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        using var scope = NewDisposeScope();
        var keys = cat([.. Dequantized(_keyBlocks[layer]), .. Present(_keyResidual[layer]), key], 2);
        var values = cat([.. Dequantized(_valueBlocks[layer]), .. Present(_valueResidual[layer]), value], 2);
        AbsorbKeys(layer, key);
        AbsorbValues(layer, value);
        _lengths[layer] += key.shape[2];
        return (keys.MoveToOuterDisposeScope(), values.MoveToOuterDisposeScope());
    }

    private void AbsorbKeys(int layer, Tensor key)
    {
        var residual = Present(_keyResidual[layer]) is [var r] ? cat([r, key], 2) : key;
        var full = residual.shape[2] / _options.ResidualLength * _options.ResidualLength;
        if (full > 0)
        {
            var block = residual.narrow(2, 0, full);
            _keyBlocks[layer] = QuantizedKv.Concat(_keyBlocks[layer], _options.KeyQuantization == KeyQuantization.PerChannel
                ? QuantizedKv.Quantize(block, _options.Bits, _options.GroupSize, QuantizationGroups.AlongTokens)
                : QuantizedKv.Quantize(block, _options.Bits, _valueGroup, QuantizationGroups.AlongChannels));
        }
        Replace(ref _keyResidual[layer], residual, full);
    }

    private void AbsorbValues(int layer, Tensor value)
    {
        var residual = Present(_valueResidual[layer]) is [var r] ? cat([r, value], 2) : value;
        var leaving = Math.Max(0, residual.shape[2] - _options.ResidualLength);
        if (leaving > 0)
        {
            _valueBlocks[layer] = QuantizedKv.Concat(_valueBlocks[layer], QuantizedKv.Quantize(residual.narrow(2, 0, leaving), _options.Bits, _valueGroup, QuantizationGroups.AlongChannels));
        }
        Replace(ref _valueResidual[layer], residual, leaving);
    }

    /// <summary>Keeps <paramref name="residual"/> from <paramref name="start"/> on as an owned copy (none when empty).</summary>
    private static void Replace(ref Tensor? slot, Tensor residual, long start)
    {
        var kept = residual.shape[2] - start;
        var next = kept > 0 ? residual.narrow(2, start, kept).clone().DetachFromDisposeScope() : null;
        slot?.Dispose();
        slot = next;
    }

    private Tensor[] Dequantized(QuantizedKv? block) => block is null ? [] : [block.Dequantize(_dtype)];

    internal static Tensor[] Present(Tensor? t) => t is null ? [] : [t];

    internal static long Bytes(Tensor? t) => t is null ? 0 : t.NumberOfElements * t.ElementSize;

    /// <inheritdoc />
    public void Clear()
    {
        for (var i = 0; i < _lengths.Length; i++)
        {
            Reset(i);
        }
    }

    private void Reset(int layer)
    {
        _keyBlocks[layer]?.Dispose();
        _keyBlocks[layer] = null;
        _valueBlocks[layer]?.Dispose();
        _valueBlocks[layer] = null;
        _keyResidual[layer]?.Dispose();
        _keyResidual[layer] = null;
        _valueResidual[layer]?.Dispose();
        _valueResidual[layer] = null;
        _lengths[layer] = 0;
    }

    /// <inheritdoc />
    public void Dispose() => Clear();
}
