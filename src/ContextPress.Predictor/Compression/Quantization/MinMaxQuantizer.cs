using static TorchSharp.torch;

namespace ContextPress.Predictor.Compression;

/// <summary>
/// GPTQ's min-max quantizer: the range always includes 0 (so 0 is exact), scale = (max − min) / (2^b − 1),
/// zero = round(−min / scale), q = clamp(round(w / scale) + zero, 0, 2^b − 1), w' = scale·(q − zero).
/// Round-to-nearest and GPTQ share it so that GPTQ with an identity Hessian gives the very same codes.
/// </summary>
internal static class MinMaxQuantizer
{
    /// <summary>fp64 weights are quantized in fp64, everything else in fp32.</summary>
    public static ScalarType ComputeType(Tensor weight) =>
        weight.dtype == ScalarType.Float64 ? ScalarType.Float64 : ScalarType.Float32;

    /// <summary>Scale and zero point per row of <paramref name="group"/> [..., g] over its last dimension; both [...].</summary>
    public static (Tensor Scale, Tensor Zero) FindParameters(Tensor group, QuantizationSpec spec)
    {
        using var scope = NewDisposeScope();
        var maxq = (double)spec.MaxCode;
        var xmin = group.amin([-1L]).clamp_max(0);
        var xmax = group.amax([-1L]).clamp_min(0);
        Tensor scale;
        Tensor zero;
        if (spec.Symmetric)
        {
            var absMax = maximum(xmin.abs(), xmax);
            absMax = where(absMax == 0, ones_like(absMax), absMax);
            scale = RoundToStoredPrecision(absMax * 2 / maxq);
            zero = full_like(scale, 1 << (spec.Bits - 1));
        }
        else
        {
            var allZero = (xmin == 0).logical_and(xmax == 0);
            xmin = where(allZero, full_like(xmin, -1), xmin);
            xmax = where(allZero, ones_like(xmax), xmax);
            scale = RoundToStoredPrecision((xmax - xmin) / maxq);
            zero = (xmin.neg() / scale).round_();
        }
        return (scale.MoveToOuterDisposeScope(), zero.MoveToOuterDisposeScope());
    }

    /// <summary>Codes (as floats in the compute type) of <paramref name="w"/> with broadcastable scale and zero.</summary>
    public static Tensor Codes(Tensor w, Tensor scale, Tensor zero, int maxCode)
    {
        using var scope = NewDisposeScope();
        return (w / scale).round_().add_(zero).clamp_(0, maxCode).MoveToOuterDisposeScope();
    }

    /// <summary>scale·(q − zero).</summary>
    public static Tensor Dequantize(Tensor codes, Tensor scale, Tensor zero)
    {
        using var scope = NewDisposeScope();
        return ((codes - zero) * scale).MoveToOuterDisposeScope();
    }

    /// <summary>Scales are stored in fp32; quantizing with the stored value keeps GPTQ's error feedback exact.</summary>
    private static Tensor RoundToStoredPrecision(Tensor scale) =>
        scale.dtype == ScalarType.Float32 ? scale : scale.to_type(ScalarType.Float32).to_type(scale.dtype);
}
