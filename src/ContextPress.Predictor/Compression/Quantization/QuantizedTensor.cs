using TorchSharp;
using static TorchSharp.torch;

namespace ContextPress.Predictor.Compression;

/// <summary>
/// A group-wise quantized weight [out, in]: one uint8 code per element, and per output row and group an fp32 scale and
/// zero point, so that w ≈ scale·(q − zero). Owns its tensors (they are detached from any dispose scope).
/// </summary>
public sealed class QuantizedTensor : IDisposable
{
    /// <summary>Creates a quantized tensor from its parts, taking ownership of them.</summary>
    /// <param name="codes">uint8 codes [out, in], each in [0, 2^Bits − 1].</param>
    /// <param name="scales">fp32 scales [out, groups].</param>
    /// <param name="zeros">fp32 zero points [out, groups] (integers stored as floats).</param>
    /// <param name="spec">The grid the codes were made for.</param>
    /// <exception cref="ArgumentException">Shapes or dtypes do not agree with each other or with <paramref name="spec"/>.</exception>
    public QuantizedTensor(Tensor codes, Tensor scales, Tensor zeros, QuantizationSpec spec)
    {
        ArgumentNullException.ThrowIfNull(codes);
        ArgumentNullException.ThrowIfNull(scales);
        ArgumentNullException.ThrowIfNull(zeros);
        ArgumentNullException.ThrowIfNull(spec);
        if (codes.dim() != 2 || codes.dtype != ScalarType.Byte)
        {
            throw new ArgumentException($"Codes must be a 2-D uint8 tensor; got {codes.dtype} of shape [{string.Join(", ", codes.shape)}].", nameof(codes));
        }
        var groups = spec.GroupCount(codes.shape[1]);
        long[] expected = [codes.shape[0], groups];
        foreach (var (tensor, name) in new[] { (scales, nameof(scales)), (zeros, nameof(zeros)) })
        {
            if (tensor.dtype != ScalarType.Float32 || !tensor.shape.SequenceEqual(expected))
            {
                throw new ArgumentException(
                    $"{name} must be fp32 of shape [{expected[0]}, {expected[1]}] for {spec}; got {tensor.dtype} [{string.Join(", ", tensor.shape)}].", name);
            }
        }
        Codes = codes.DetachFromDisposeScope();
        Scales = scales.DetachFromDisposeScope();
        Zeros = zeros.DetachFromDisposeScope();
        Spec = spec;
    }

    /// <summary>uint8 codes [out, in], one per element.</summary>
    public Tensor Codes { get; }

    /// <summary>fp32 scales [out, groups].</summary>
    public Tensor Scales { get; }

    /// <summary>fp32 zero points [out, groups].</summary>
    public Tensor Zeros { get; }

    /// <summary>The quantization grid.</summary>
    public QuantizationSpec Spec { get; }

    /// <summary>Output rows.</summary>
    public long Rows => Codes.shape[0];

    /// <summary>Input columns.</summary>
    public long Columns => Codes.shape[1];

    /// <summary>Bytes this weight takes when stored packed: packed codes plus fp32 scales and zero points.</summary>
    public long StorageBytes => PackedCodeBytes(Rows, Columns, Spec.Bits) + 2 * Scales.NumberOfElements * sizeof(float);

    /// <summary>The dequantized weight scale·(q − zero) [out, in], computed in fp32 and returned as <paramref name="dtype"/>.</summary>
    public Tensor Dequantize(ScalarType dtype = ScalarType.Float32)
    {
        using var scope = NewDisposeScope();
        var groups = Scales.shape[1];
        var grouped = Codes.to_type(ScalarType.Float32).view(Rows, groups, Columns / groups);
        var w = MinMaxQuantizer.Dequantize(grouped, Scales.unsqueeze(-1), Zeros.unsqueeze(-1)).view(Rows, Columns);
        return w.to_type(dtype).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Codes packed for storage: for Bits ≤ 4 two codes per byte (even column in the low nibble, odd column in the high
    /// nibble; an odd width is padded with a zero code), otherwise one code per byte. Shape [out, packedColumns].
    /// </summary>
    public Tensor PackCodes()
    {
        using var scope = NewDisposeScope();
        if (Spec.Bits > 4)
        {
            return Codes.clone().MoveToOuterDisposeScope();
        }
        var codes = Columns % 2 == 0 ? Codes : nn.functional.pad(Codes, [0, 1]);
        var pairs = codes.view(Rows, -1, 2);
        var low = pairs.select(-1, 0);
        var high = pairs.select(-1, 1);
        return low.bitwise_or(high.bitwise_left_shift(4)).contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>Inverse of <see cref="PackCodes"/>: uint8 codes [out, <paramref name="columns"/>].</summary>
    /// <exception cref="ArgumentException">The packed tensor's shape does not match <paramref name="columns"/> and the bit width.</exception>
    public static Tensor UnpackCodes(Tensor packed, QuantizationSpec spec, long columns)
    {
        ArgumentNullException.ThrowIfNull(packed);
        ArgumentNullException.ThrowIfNull(spec);
        var expectedWidth = spec.Bits > 4 ? columns : (columns + 1) / 2;
        if (packed.dim() != 2 || packed.dtype != ScalarType.Byte || packed.shape[1] != expectedWidth)
        {
            throw new ArgumentException(
                $"Packed codes for {columns} columns at {spec.Bits} bits must be uint8 [rows, {expectedWidth}]; got {packed.dtype} [{string.Join(", ", packed.shape)}].",
                nameof(packed));
        }
        using var scope = NewDisposeScope();
        if (spec.Bits > 4)
        {
            return packed.clone().MoveToOuterDisposeScope();
        }
        var low = packed.bitwise_and(tensor((byte)0x0F));
        var high = packed.bitwise_right_shift(4);
        var codes = stack([low, high], dim: -1).view(packed.shape[0], -1);
        return codes.narrow(1, 0, columns).contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>Bytes of packed codes for a [rows, columns] weight at <paramref name="bits"/> bits.</summary>
    public static long PackedCodeBytes(long rows, long columns, int bits) => rows * (bits > 4 ? columns : (columns + 1) / 2);

    /// <inheritdoc />
    public void Dispose()
    {
        Codes.Dispose();
        Scales.Dispose();
        Zeros.Dispose();
    }
}
