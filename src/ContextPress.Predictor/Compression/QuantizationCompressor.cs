using static TorchSharp.torch;

namespace ContextPress.Predictor.Compression;

/// <summary>Group-wise weight quantization as an <see cref="ILinearCompressor"/>: round-to-nearest or GPTQ.</summary>
public sealed class QuantizationCompressor : ILinearCompressor
{
    private readonly bool _gptq;
    private readonly GptqOptions? _options;

    private QuantizationCompressor(bool gptq, int bits, int groupSize, GptqOptions? options)
    {
        _ = new QuantizationSpec(bits, groupSize <= 0 ? 0 : groupSize); // validates bits and group size
        _gptq = gptq;
        Bits = bits;
        GroupSize = groupSize;
        _options = options;
    }

    /// <summary>Round-to-nearest on each group's min-max grid (no calibration).</summary>
    /// <param name="bits">Bits per weight, 2 to 8.</param>
    /// <param name="groupSize">Input channels per group (see <see cref="GroupWidth"/>); 0 means one group per row.</param>
    public static QuantizationCompressor RoundToNearest(int bits, int groupSize) => new(gptq: false, bits, groupSize, null);

    /// <summary>GPTQ with the calibration Gram matrix as Hessian.</summary>
    /// <param name="bits">Bits per weight, 2 to 8.</param>
    /// <param name="groupSize">Input channels per group (see <see cref="GroupWidth"/>); 0 means one group per row.</param>
    /// <param name="options">Damping, block size, act-order.</param>
    public static QuantizationCompressor Gptq(int bits, int groupSize, GptqOptions? options = null) => new(gptq: true, bits, groupSize, options);

    /// <summary>Bits per weight.</summary>
    public int Bits { get; }

    /// <summary>Input channels per group as asked (see <see cref="GroupWidth"/> for what each layer gets).</summary>
    public int GroupSize { get; }

    /// <summary>
    /// The group a layer of <paramref name="columns"/> inputs gets: one group per row (0) when <paramref name="groupSize"/>
    /// is 0 or covers the row, else the largest divisor of the width not above it (groups must tile the row), e.g.
    /// 86 for 128 on a 172-wide layer. Each layer's checkpoint layout records what it got.
    /// </summary>
    public static int GroupWidth(int groupSize, long columns)
    {
        if (groupSize <= 0 || groupSize >= columns)
        {
            return 0;
        }
        var width = groupSize;
        while (columns % width != 0)
        {
            width--;
        }
        return width;
    }

    /// <inheritdoc />
    public string Method => _gptq ? "gptq" : "rtn";

    /// <inheritdoc />
    public CompressedLinear? Compress(LinearCompressionInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var scope = NewDisposeScope();
        var columns = input.Weight.shape[1];
        var spec = new QuantizationSpec(Bits, GroupWidth(GroupSize, columns));
        using var quantized = _gptq
            ? Compression.Gptq.Quantize(input.Weight, input.Statistics.Gram, spec, _options)
            : Compression.RoundToNearest.Quantize(input.Weight, spec);
        return QuantizedLinear.FromCodes(quantized.Codes, quantized.Scales, quantized.Zeros, Bits, spec.GroupWidth(columns), computeType: input.ComputeType);
    }
}
