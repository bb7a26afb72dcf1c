using static TorchSharp.torch;

namespace ContextPress.Predictor.Caching;

/// <summary>
/// GEAR (arXiv 2403.05527) on KIVI's layout: each block X ≈ Q + L + S, where S keeps each vector's largest and smallest
/// entries exactly (<see cref="GearOptions.OutlierRatio"/>; key vectors are channels over the block's tokens, value vectors
/// are tokens over channels), Q quantizes the rest (keys per channel, values per token, outliers replaced by the vector's
/// mean first) and L is a rank-r approximation of the quantization error per head by power iteration. The newest tokens
/// stay in full precision and are compressed in blocks of <see cref="GearOptions.BufferLength"/>.
/// </summary>
public sealed class GearKvCache : IKvCache
{
    private readonly GearOptions _options;
    private readonly long _valueGroup;
    private readonly ScalarType _dtype;
    private readonly List<GearBlock>[] _keyBlocks;
    private readonly List<GearBlock>[] _valueBlocks;
    private readonly Tensor?[] _keyBuffer;
    private readonly Tensor?[] _valueBuffer;
    private readonly long[] _lengths;
    private readonly Generator _random;

    /// <summary>Creates an empty cache for <paramref name="layers"/> layers of <paramref name="headDim"/>-wide heads.</summary>
    public GearKvCache(int layers, int headDim, ScalarType dtype, GearOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(layers);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(headDim);
        _options = (options ?? new GearOptions()).Validate();
        _valueGroup = Math.Min(_options.GroupSize, headDim);
        if (headDim % _valueGroup != 0 || headDim % (8 / _options.Bits) != 0)
        {
            throw new ArgumentException($"Head dimension {headDim} does not split into groups of {_valueGroup} channels and {8 / _options.Bits} codes per byte.", nameof(headDim));
        }
        _dtype = dtype;
        _keyBlocks = Enumerable.Range(0, layers).Select(_ => new List<GearBlock>()).ToArray();
        _valueBlocks = Enumerable.Range(0, layers).Select(_ => new List<GearBlock>()).ToArray();
        _keyBuffer = new Tensor?[layers];
        _valueBuffer = new Tensor?[layers];
        _lengths = new long[layers];
        _random = new Generator(_options.Seed);
    }

    /// <summary>Creates a cache for <paramref name="model"/>'s layers and dtype.</summary>
    public static GearKvCache For(CausalLM model, GearOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new GearKvCache(model.Config.NumHiddenLayers, model.Config.HeadDimension, model.DType, options);
    }

    /// <inheritdoc />
    public long Length => _lengths[0];

    /// <inheritdoc />
    public long StoredLength => _lengths[0];

    /// <inheritdoc />
    public long StorageBytes => Enumerable.Range(0, _lengths.Length).Sum(i =>
        _keyBlocks[i].Sum(b => b.Bytes) + _valueBlocks[i].Sum(b => b.Bytes)
        + KiviKvCache.Bytes(_keyBuffer[i]) + KiviKvCache.Bytes(_valueBuffer[i]));

    /// <summary>Tokens of <paramref name="layer"/> held in full precision (T mod <see cref="GearOptions.BufferLength"/>).</summary>
    public long BufferedCount(int layer) => _keyBuffer[layer]?.shape[2] ?? 0;

    /// <inheritdoc />
    public (Tensor Key, Tensor Value) Update(int layer, Tensor key, Tensor value)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        using var scope = NewDisposeScope();
        var keys = cat([.. _keyBlocks[layer].Select(b => b.Dequantize(_dtype)), .. KiviKvCache.Present(_keyBuffer[layer]), key], 2);
        var values = cat([.. _valueBlocks[layer].Select(b => b.Dequantize(_dtype)), .. KiviKvCache.Present(_valueBuffer[layer]), value], 2);
        var rank = _lengths[layer] == 0 ? _options.PrefillRank : _options.Rank;
        Absorb(ref _keyBuffer[layer], _keyBlocks[layer], key, isKey: true, rank);
        Absorb(ref _valueBuffer[layer], _valueBlocks[layer], value, isKey: false, rank);
        _lengths[layer] += key.shape[2];
        return (keys.MoveToOuterDisposeScope(), values.MoveToOuterDisposeScope());
    }

    private void Absorb(ref Tensor? buffer, List<GearBlock> blocks, Tensor added, bool isKey, int rank)
    {
        var pending = buffer is { } b ? cat([b, added], 2) : added;
        var full = pending.shape[2] / _options.BufferLength * _options.BufferLength;
        if (full > 0)
        {
            blocks.Add(Compress(pending.narrow(2, 0, full), isKey, rank));
        }
        var kept = pending.shape[2] - full;
        var next = kept > 0 ? pending.narrow(2, full, kept).clone().DetachFromDisposeScope() : null;
        buffer?.Dispose();
        buffer = next;
    }

    /// <summary>Compresses a [B, H, n, D] block into quantized codes, exact outliers and a low-rank error correction.</summary>
    internal GearBlock Compress(Tensor block, bool isKey, int rank)
    {
        using var scope = NewDisposeScope();
        var x = block.to_type(ScalarType.Float32);
        var vectorDim = isKey ? 2 : 3;
        var length = x.shape[vectorDim];
        var perSide = _options.OutlierRatio > 0 ? (long)Math.Min(Math.Ceiling(_options.OutlierRatio * length / 2), length / 2) : 0;
        Tensor? outlierIndex = null, outlierValue = null;
        var filled = x;
        if (perSide > 0)
        {
            var largest = x.topk((int)perSide, dim: vectorDim, largest: true).indexes;
            var smallest = x.topk((int)perSide, dim: vectorDim, largest: false).indexes;
            outlierIndex = cat([largest, smallest], vectorDim);
            outlierValue = x.gather(vectorDim, outlierIndex);
            filled = x.scatter(vectorDim, outlierIndex, x.mean([vectorDim], keepdim: true).expand_as(outlierValue));
        }
        var quantized = isKey
            ? QuantizedKv.Quantize(filled, _options.Bits, _options.GroupSize, QuantizationGroups.AlongTokens)
            : QuantizedKv.Quantize(filled, _options.Bits, _valueGroup, QuantizationGroups.AlongChannels);
        var error = x - quantized.Dequantize(ScalarType.Float32);
        if (outlierIndex is not null)
        {
            error = error.scatter(vectorDim, outlierIndex, zeros_like(outlierValue!));
        }
        var (left, right) = LowRank(error, Math.Min(rank, (int)Math.Min(x.shape[2], x.shape[3])));
        return new GearBlock(
            quantized,
            outlierIndex?.to_type(length <= short.MaxValue ? ScalarType.Int16 : ScalarType.Int32).DetachFromDisposeScope(),
            outlierValue?.to_type(block.dtype).DetachFromDisposeScope(),
            vectorDim,
            left?.to_type(block.dtype).DetachFromDisposeScope(),
            right?.to_type(block.dtype).DetachFromDisposeScope());
    }

    /// <summary>
    /// Rank-r factors (L ≈ left·rightᵀ) of <paramref name="error"/> [B, H, n, D] per head by subspace (power) iteration:
    /// left is an orthonormal basis and right = errorᵀ·left, so L is a projection of the error and never enlarges it.
    /// </summary>
    private (Tensor? Left, Tensor? Right) LowRank(Tensor error, int rank)
    {
        if (rank <= 0)
        {
            return (null, null);
        }
        var start = randn([error.shape[0], error.shape[1], error.shape[3], rank], ScalarType.Float32, generator: _random).to(error.device);
        var right = start;
        Tensor left = start;
        for (var i = 0; i < _options.PowerIterations; i++)
        {
            left = linalg.qr(matmul(error, right)).Q;
            right = matmul(error.transpose(2, 3), left);
        }
        return (left, right);
    }

    /// <inheritdoc />
    public void Clear()
    {
        for (var i = 0; i < _lengths.Length; i++)
        {
            _keyBlocks[i].ForEach(b => b.Dispose());
            _keyBlocks[i].Clear();
            _valueBlocks[i].ForEach(b => b.Dispose());
            _valueBlocks[i].Clear();
            _keyBuffer[i]?.Dispose();
            _keyBuffer[i] = null;
            _valueBuffer[i]?.Dispose();
            _valueBuffer[i] = null;
            _lengths[i] = 0;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Clear();
        _random.Dispose();
    }
}

/// <summary>One GEAR-compressed block: quantized codes, exact outliers (indices along <c>VectorDim</c>) and low-rank factors.</summary>
internal sealed record GearBlock(QuantizedKv Quantized, Tensor? OutlierIndex, Tensor? OutlierValue, int VectorDim, Tensor? Left, Tensor? Right) : IDisposable
{
    public long Bytes => Quantized.Bytes + KiviKvCache.Bytes(OutlierIndex) + KiviKvCache.Bytes(OutlierValue) + KiviKvCache.Bytes(Left) + KiviKvCache.Bytes(Right);

    /// <summary>Q + L with the outliers written back, [B, H, n, D] in <paramref name="dtype"/>, in the caller's dispose scope.</summary>
    public Tensor Dequantize(ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var x = Quantized.Dequantize(ScalarType.Float32);
        if (Left is not null && Right is not null)
        {
            x = x + matmul(Left.to_type(ScalarType.Float32), Right.to_type(ScalarType.Float32).transpose(2, 3));
        }
        if (OutlierIndex is not null && OutlierValue is not null)
        {
            x = x.scatter(VectorDim, OutlierIndex.to_type(ScalarType.Int64), OutlierValue.to_type(ScalarType.Float32));
        }
        return x.to_type(dtype).MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        Quantized.Dispose();
        OutlierIndex?.Dispose();
        OutlierValue?.Dispose();
        Left?.Dispose();
        Right?.Dispose();
    }
}
