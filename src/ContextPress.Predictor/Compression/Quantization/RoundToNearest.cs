using static TorchSharp.torch;

namespace ContextPress.Predictor.Compression;

/// <summary>Round-to-nearest weight quantization: each group's min-max grid, no calibration.</summary>
public static class RoundToNearest
{
    /// <summary>Quantizes <paramref name="weight"/> [out, in] on the grid <paramref name="spec"/>.</summary>
    /// <exception cref="ArgumentException">The weight is not a 2-D floating tensor or the group size does not divide its width.</exception>
    public static QuantizedTensor Quantize(Tensor weight, QuantizationSpec spec)
    {
        WeightChecks.ThrowIfNotMatrix(weight);
        ArgumentNullException.ThrowIfNull(spec);
        var groupWidth = spec.GroupWidth(weight.shape[1]);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var rows = weight.shape[0];
        var grouped = weight.to_type(MinMaxQuantizer.ComputeType(weight)).view(rows, -1, groupWidth);
        var (scale, zero) = MinMaxQuantizer.FindParameters(grouped, spec);
        var codes = MinMaxQuantizer.Codes(grouped, scale.unsqueeze(-1), zero.unsqueeze(-1), spec.MaxCode);
        return new QuantizedTensor(
            codes.view(rows, -1).to_type(ScalarType.Byte),
            scale.to_type(ScalarType.Float32),
            zero.to_type(ScalarType.Float32),
            spec);
    }
}
