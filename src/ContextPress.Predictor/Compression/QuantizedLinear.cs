using TorchSharp;
using static TorchSharp.torch;

namespace ContextPress.Predictor.Compression;

/// <summary>
/// A projection with group-wise quantized weights: <c>Ŵ[o, i] = scales[o, g]·(q[o, i] − zeros[o, g])</c> with
/// <c>g = i / group_size</c>. Stores <c>qweight</c> (the b-bit codes of each row packed LSB-first into bytes, U8
/// [out, ⌈in·b/8⌉]), <c>scales</c> and <c>zeros</c> (F32 [out, ⌈in/group_size⌉]). The forward pass dequantizes to the
/// compute dtype and runs a dense matmul: the reference path a fused dequantize-GEMM kernel replaces.
/// </summary>
public sealed class QuantizedLinear : CompressedLinear
{
    /// <summary>Name of the packed codes.</summary>
    public const string CodesName = "qweight";

    /// <summary>Name of the per-group scales.</summary>
    public const string ScalesName = "scales";

    /// <summary>Name of the per-group zero points (in code units).</summary>
    public const string ZerosName = "zeros";

    private readonly ScalarType _computeType;

    private QuantizedLinear(long inFeatures, long outFeatures, int bits, int groupSize, ScalarType computeType)
        : base(nameof(QuantizedLinear), inFeatures, outFeatures)
    {
        if (bits is < 1 or > 8)
        {
            throw new ArgumentOutOfRangeException(nameof(bits), bits, "Bits must be in 1..8.");
        }
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(groupSize);
        Bits = bits;
        GroupSize = groupSize;
        _computeType = computeType;
    }

    /// <summary>Bits per weight.</summary>
    public int Bits { get; }

    /// <summary>Input channels per scale/zero group (the last group may be shorter).</summary>
    public int GroupSize { get; }

    /// <summary>Number of groups per row.</summary>
    public long Groups => (InFeatures + GroupSize - 1) / GroupSize;

    /// <inheritdoc />
    protected override ScalarType ComputeType => _computeType;

    /// <summary>
    /// Builds the module from unpacked codes (uint8 [out, in], each below 2^<paramref name="bits"/>), scales and zeros
    /// (float [out, groups]) and an optional bias; tensors are copied.
    /// </summary>
    /// <exception cref="ArgumentException">Shapes disagree or a code does not fit in <paramref name="bits"/>.</exception>
    public static QuantizedLinear FromCodes(Tensor codes, Tensor scales, Tensor zeros, int bits, int groupSize, Tensor? bias = null, ScalarType computeType = ScalarType.Float32)
    {
        ArgumentNullException.ThrowIfNull(codes);
        ArgumentNullException.ThrowIfNull(scales);
        ArgumentNullException.ThrowIfNull(zeros);
        if (codes.dim() != 2)
        {
            throw new ArgumentException($"Codes must be [out, in], not [{string.Join(", ", codes.shape)}].", nameof(codes));
        }
        var module = new QuantizedLinear(codes.shape[1], codes.shape[0], bits, groupSize, computeType);
        try
        {
            long[] groupShape = [module.OutFeatures, module.Groups];
            if (!scales.shape.SequenceEqual(groupShape) || !zeros.shape.SequenceEqual(groupShape))
            {
                throw new ArgumentException(
                    $"Scales and zeros must be [{groupShape[0]}, {groupShape[1]}] for {module.InFeatures} inputs in groups of {groupSize}, not [{string.Join(", ", scales.shape)}] and [{string.Join(", ", zeros.shape)}].");
            }
            using var scope = NewDisposeScope();
            var asInt = codes.to_type(ScalarType.Int32);
            if (asInt.NumberOfElements > 0 && (asInt.min().item<int>() < 0 || asInt.max().item<int>() >= 1 << bits))
            {
                throw new ArgumentException($"Codes must lie in [0, {(1 << bits) - 1}] for {bits} bits.", nameof(codes));
            }
            module.SetBuffer(CodesName, PackCodes(asInt.to_type(ScalarType.Byte), bits));
            module.SetBuffer(ScalesName, scales.to_type(ScalarType.Float32));
            module.SetBuffer(ZerosName, zeros.to_type(ScalarType.Float32));
            module.SetBias(bias);
            return module;
        }
        catch
        {
            module.Dispose();
            throw;
        }
    }

    /// <summary>An all-zero module of the given shape (to load a checkpoint into).</summary>
    internal static QuantizedLinear CreateEmpty(long inFeatures, long outFeatures, int bits, int groupSize, ScalarType computeType)
    {
        var module = new QuantizedLinear(inFeatures, outFeatures, bits, groupSize, computeType);
        using var scope = NewDisposeScope();
        module.SetBuffer(CodesName, torch.zeros([outFeatures, PackedRowBytes(inFeatures, bits)], ScalarType.Byte));
        module.SetBuffer(ScalesName, torch.zeros([outFeatures, module.Groups], ScalarType.Float32));
        module.SetBuffer(ZerosName, torch.zeros([outFeatures, module.Groups], ScalarType.Float32));
        return module;
    }

    /// <summary>The unpacked codes, uint8 [out, in], in the caller's dispose scope.</summary>
    public Tensor Codes() => UnpackCodes(GetTensor(CodesName)!, Bits, InFeatures);

    /// <summary>Bytes per packed row: ⌈in·bits/8⌉.</summary>
    public static long PackedRowBytes(long inFeatures, int bits) => (inFeatures * bits + 7) / 8;

    /// <summary>
    /// Packs codes (uint8 [rows, n], each below 2^<paramref name="bits"/>) row by row as a little-endian bit stream:
    /// code j occupies bits j·b .. j·b+b−1 of the row, so for b = 4 code 2k is the low nibble of byte k.
    /// </summary>
    public static Tensor PackCodes(Tensor codes, int bits)
    {
        ArgumentNullException.ThrowIfNull(codes);
        using var scope = NewDisposeScope();
        var rows = codes.shape[0];
        var n = codes.shape[1];
        var rowBytes = PackedRowBytes(n, bits);
        var shifts = arange(bits, dtype: ScalarType.Int32, device: codes.device);
        // [rows, n, bits] bits of each code, flattened to each row's bit stream, padded to whole bytes.
        var stream = codes.to_type(ScalarType.Int32).unsqueeze(-1).bitwise_right_shift(shifts).bitwise_and(1).reshape(rows, n * bits);
        stream = nn.functional.pad(stream, [0, rowBytes * 8 - n * bits]);
        var weights = arange(8, dtype: ScalarType.Int32, device: codes.device);
        var packed = stream.reshape(rows, rowBytes, 8).bitwise_left_shift(weights).sum(-1, type: ScalarType.Int32);
        return packed.to_type(ScalarType.Byte).MoveToOuterDisposeScope();
    }

    /// <summary>Inverse of <see cref="PackCodes"/>: uint8 [rows, ⌈n·b/8⌉] to codes uint8 [rows, n].</summary>
    public static Tensor UnpackCodes(Tensor packed, int bits, long n)
    {
        ArgumentNullException.ThrowIfNull(packed);
        using var scope = NewDisposeScope();
        var rows = packed.shape[0];
        var bytes = packed.to_type(ScalarType.Int32);
        Tensor codes;
        if (8 % bits == 0)
        {
            // Whole codes per byte: one shift per slot.
            var perByte = 8 / bits;
            var shifts = arange(0, 8, bits, dtype: ScalarType.Int32, device: packed.device);
            codes = bytes.unsqueeze(-1).bitwise_right_shift(shifts).bitwise_and((1 << bits) - 1).reshape(rows, packed.shape[1] * perByte).narrow(1, 0, n);
        }
        else
        {
            // Codes straddle bytes (3, 5, 6, 7 bits): read 16 bits from each code's first byte.
            var padded = nn.functional.pad(bytes, [0, 1]);
            var bitOffset = arange(n, dtype: ScalarType.Int64, device: packed.device) * bits;
            var index = bitOffset.bitwise_right_shift(3).unsqueeze(0).expand(rows, n);
            var low = padded.gather(1, index);
            var high = padded.gather(1, index + 1);
            var word = low.bitwise_or(high.bitwise_left_shift(8));
            codes = word.bitwise_right_shift(bitOffset.bitwise_and(7).to_type(ScalarType.Int32).unsqueeze(0)).bitwise_and((1 << bits) - 1);
        }
        return codes.to_type(ScalarType.Byte).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    protected override Tensor ForwardBase(Tensor input) => nn.functional.linear(input, Dequantize(input.dtype));

    /// <inheritdoc />
    protected override Tensor BaseWeight() => Dequantize(ScalarType.Float32);

    /// <inheritdoc />
    protected override CompressedLinearLayout DescribeBase() => new()
    {
        Kind = CompressedLinearLayout.QuantizedKind,
        InFeatures = InFeatures,
        OutFeatures = OutFeatures,
        Bits = Bits,
        GroupSize = GroupSize,
    };

    /// <summary>Ŵ [out, in] in <paramref name="dtype"/> (computed in fp32), in the caller's dispose scope.</summary>
    public Tensor Dequantize(ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var codes = Codes().to_type(ScalarType.Float32);
        var scales = GetTensor(ScalesName)!.repeat_interleave(GroupSize, dim: 1).narrow(1, 0, InFeatures);
        var zeros = GetTensor(ZerosName)!.repeat_interleave(GroupSize, dim: 1).narrow(1, 0, InFeatures);
        return (scales * (codes - zeros)).to_type(dtype).MoveToOuterDisposeScope();
    }
}
