using TorchSharp;
using static TorchSharp.torch;

namespace ContextPress.Predictor.Caching;

/// <summary>Which axis the entries sharing one scale and minimum run along.</summary>
internal enum QuantizationGroups
{
    /// <summary>Per channel: groups of consecutive tokens share one scale and minimum per channel (KIVI keys).</summary>
    AlongTokens,

    /// <summary>Per token: groups of consecutive channels of one token share one scale and minimum (KIVI values).</summary>
    AlongChannels,
}

/// <summary>
/// Asymmetric min-max quantization of a [batch, heads, tokens, headDim] block (KIVI): <c>scale = (max − min) / (2^bits − 1)</c>,
/// <c>q = clamp(round((x − min) / scale), 0, 2^bits − 1)</c>, <c>x̂ = q·scale + min</c>. Codes are packed along the channel
/// axis, 2 (4-bit) or 4 (2-bit) per byte, so the block really takes bits/8 bytes per element plus its scales.
/// </summary>
internal sealed class QuantizedKv : IDisposable
{
    private readonly Tensor _codes;
    private readonly Tensor _scale;
    private readonly Tensor _min;
    private readonly long[] _shape;
    private readonly int _bits;
    private readonly long _groupSize;
    private readonly QuantizationGroups _groups;

    private QuantizedKv(Tensor codes, Tensor scale, Tensor min, long[] shape, int bits, long groupSize, QuantizationGroups groups)
    {
        _codes = codes;
        _scale = scale;
        _min = min;
        _shape = shape;
        _bits = bits;
        _groupSize = groupSize;
        _groups = groups;
    }

    /// <summary>Tokens in the block.</summary>
    public long Tokens => _shape[2];

    /// <summary>Bytes of codes, scales and minimums.</summary>
    public long Bytes => _codes.NumberOfElements * _codes.ElementSize + 2 * _scale.NumberOfElements * _scale.ElementSize;

    /// <summary>
    /// Quantizes <paramref name="x"/> ([B, H, T, D]); the tokens (<see cref="QuantizationGroups.AlongTokens"/>) or channels
    /// (<see cref="QuantizationGroups.AlongChannels"/>) must be a multiple of <paramref name="groupSize"/>. Scales are kept
    /// in <paramref name="x"/>'s dtype; the math runs in fp32. The result owns its tensors (outside any dispose scope).
    /// </summary>
    public static QuantizedKv Quantize(Tensor x, int bits, long groupSize, QuantizationGroups groups)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (bits is not (2 or 4))
        {
            throw new ArgumentOutOfRangeException(nameof(bits), bits, "KV quantization supports 2 or 4 bits.");
        }
        var shape = x.shape;
        var (b, h, t, d) = (shape[0], shape[1], shape[2], shape[3]);
        var perByte = 8 / bits;
        if (d % perByte != 0)
        {
            throw new ArgumentException($"Head dimension {d} is not a multiple of {perByte} ({bits}-bit codes are packed {perByte} per byte).", nameof(x));
        }
        var along = groups == QuantizationGroups.AlongTokens ? t : d;
        if (along % groupSize != 0)
        {
            throw new ArgumentException($"{(groups == QuantizationGroups.AlongTokens ? "Tokens" : "Channels")} ({along}) are not a multiple of the group size {groupSize}.", nameof(x));
        }
        using var scope = NewDisposeScope();
        var levels = (1 << bits) - 1; // 2**bits − 1 levels above zero (GEAR's port used bits**2 − 1: wrong for 3 bits)
        var grouped = Group(x.to_type(ScalarType.Float32), b, h, t, d, groupSize, groups);
        var reduceDim = groups == QuantizationGroups.AlongTokens ? 3 : 4;
        var min = grouped.amin([reduceDim], keepdim: true);
        var scale = (grouped.amax([reduceDim], keepdim: true) - min) / levels;
        var codes = ((grouped - min) / scale.clamp_min(1e-12f)).round_().clamp_(0, levels).to_type(ScalarType.Byte).reshape(b, h, t, d);
        var packed = Pack(codes, bits);
        return new QuantizedKv(
            packed.DetachFromDisposeScope(),
            scale.to_type(x.dtype).DetachFromDisposeScope(),
            min.to_type(x.dtype).DetachFromDisposeScope(),
            shape, bits, groupSize, groups);
    }

    /// <summary>
    /// One block holding <paramref name="first"/>'s tokens then <paramref name="second"/>'s (same layout), so a layer keeps a
    /// single block and dequantizes it in one pass. Disposes both inputs.
    /// </summary>
    public static QuantizedKv Concat(QuantizedKv? first, QuantizedKv second)
    {
        ArgumentNullException.ThrowIfNull(second);
        if (first is null)
        {
            return second;
        }
        if (first._bits != second._bits || first._groupSize != second._groupSize || first._groups != second._groups)
        {
            throw new ArgumentException("Only blocks quantized the same way can be joined.", nameof(second));
        }
        using var scope = NewDisposeScope();
        // Codes and values hold tokens on axis 2, and so do the token-group axis of per-channel scales and the token axis of per-token ones.
        var joined = new QuantizedKv(
            cat([first._codes, second._codes], 2).DetachFromDisposeScope(),
            cat([first._scale, second._scale], 2).DetachFromDisposeScope(),
            cat([first._min, second._min], 2).DetachFromDisposeScope(),
            [first._shape[0], first._shape[1], first._shape[2] + second._shape[2], first._shape[3]],
            first._bits, first._groupSize, first._groups);
        first.Dispose();
        second.Dispose();
        return joined;
    }

    /// <summary>The dequantized block [B, H, T, D] in <paramref name="dtype"/>, in the caller's dispose scope.</summary>
    public Tensor Dequantize(ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var (b, h, t, d) = (_shape[0], _shape[1], _shape[2], _shape[3]);
        var codes = Unpack(_codes, _bits, d).to_type(ScalarType.Float32);
        var grouped = Group(codes, b, h, t, d, _groupSize, _groups);
        var x = (grouped * _scale.to_type(ScalarType.Float32) + _min.to_type(ScalarType.Float32)).reshape(b, h, t, d);
        return x.to_type(dtype).MoveToOuterDisposeScope();
    }

    /// <summary>Each element's quantization step [B, H, T, D] (for error bounds), in the caller's dispose scope.</summary>
    internal Tensor ScalePerElement()
    {
        using var scope = NewDisposeScope();
        var (b, h, t, d) = (_shape[0], _shape[1], _shape[2], _shape[3]);
        var grouped = Group(zeros(_shape, ScalarType.Float32, _scale.device), b, h, t, d, _groupSize, _groups);
        return (grouped + _scale.to_type(ScalarType.Float32)).reshape(b, h, t, d).MoveToOuterDisposeScope();
    }

    private static Tensor Group(Tensor x, long b, long h, long t, long d, long groupSize, QuantizationGroups groups) =>
        groups == QuantizationGroups.AlongTokens
            ? x.reshape(b, h, t / groupSize, groupSize, d)
            : x.reshape(b, h, t, d / groupSize, groupSize);

    /// <summary>Packs codes (uint8 below 2^bits) along the last axis, the first code in the lowest bits.</summary>
    internal static Tensor Pack(Tensor codes, int bits)
    {
        using var scope = NewDisposeScope();
        var perByte = 8 / bits;
        var shape = codes.shape;
        var weights = Weights(bits, codes.device);
        var grouped = codes.reshape([.. shape[..^1], shape[^1] / perByte, perByte]);
        return (grouped * weights).sum(-1, type: ScalarType.Byte).MoveToOuterDisposeScope();
    }

    /// <summary>Inverse of <see cref="Pack"/>: uint8 codes with <paramref name="channels"/> in the last axis.</summary>
    internal static Tensor Unpack(Tensor packed, int bits, long channels)
    {
        using var scope = NewDisposeScope();
        var shape = packed.shape;
        var shifted = packed.unsqueeze(-1).floor_divide(Weights(bits, packed.device));
        var codes = shifted - shifted.floor_divide(1 << bits) * (1 << bits);
        return codes.reshape([.. shape[..^1], channels]).MoveToOuterDisposeScope();
    }

    private static Tensor Weights(int bits, Device device) =>
        tensor(Enumerable.Range(0, 8 / bits).Select(i => (byte)(1 << (bits * i))).ToArray(), ScalarType.Byte).to(device);

    public void Dispose()
    {
        _codes.Dispose();
        _scale.Dispose();
        _min.Dispose();
    }
}
