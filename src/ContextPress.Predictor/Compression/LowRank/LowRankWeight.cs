using static TorchSharp.torch;

namespace ContextPress.Predictor.Compression;

/// <summary>
/// A weight stored as two factors, W ≈ <see cref="Up"/> · <see cref="Down"/>: a Linear y = x·Wᵀ becomes
/// y = (x·Downᵀ)·Upᵀ, costing <see cref="ParameterCount"/> = rank·(out + in) parameters instead of out·in.
/// </summary>
/// <remarks>
/// The instance owns both tensors (they are detached from any dispose scope) and disposes them with itself.
/// </remarks>
public sealed class LowRankWeight : IDisposable
{
    /// <summary>Wraps <paramref name="up"/> [out, rank] and <paramref name="down"/> [rank, in], taking ownership of both.</summary>
    /// <exception cref="ArgumentException">The shapes do not chain, the dtypes or devices differ, or a factor is not floating point.</exception>
    public LowRankWeight(Tensor up, Tensor down)
    {
        ArgumentNullException.ThrowIfNull(up);
        ArgumentNullException.ThrowIfNull(down);
        if (up.dim() != 2 || down.dim() != 2)
        {
            throw new ArgumentException($"Both factors must be matrices; got up [{string.Join(", ", up.shape)}] and down [{string.Join(", ", down.shape)}].", nameof(up));
        }
        if (up.shape[1] != down.shape[0] || up.shape[1] < 1)
        {
            throw new ArgumentException($"up [{up.shape[0]}, {up.shape[1]}] and down [{down.shape[0]}, {down.shape[1]}] must share a rank of at least 1.", nameof(down));
        }
        if (up.dtype != down.dtype || !up.is_floating_point())
        {
            throw new ArgumentException($"Both factors must have one floating-point dtype; got {up.dtype} and {down.dtype}.", nameof(down));
        }
        if (up.device_type != down.device_type || up.device_index != down.device_index)
        {
            throw new ArgumentException($"Both factors must be on one device; got {up.device} and {down.device}.", nameof(down));
        }
        Up = up.DetachFromDisposeScope();
        Down = down.DetachFromDisposeScope();
    }

    /// <summary>The left factor, [out, rank].</summary>
    public Tensor Up { get; }

    /// <summary>The right factor, [rank, in].</summary>
    public Tensor Down { get; }

    /// <summary>The shared inner dimension of the two factors.</summary>
    public int Rank => (int)Down.shape[0];

    /// <summary>Rows of the approximated weight (the Linear's output features).</summary>
    public int OutFeatures => (int)Up.shape[0];

    /// <summary>Columns of the approximated weight (the Linear's input features).</summary>
    public int InFeatures => (int)Down.shape[1];

    /// <summary>The factors' dtype.</summary>
    public ScalarType DType => Up.dtype;

    /// <summary>Stored parameters: rank·(out + in).</summary>
    public long ParameterCount => (long)Rank * (OutFeatures + InFeatures);

    /// <summary>Up · Down as a dense [out, in] matrix in the factors' dtype.</summary>
    public Tensor ToDense() => ToDense(DType);

    /// <summary>
    /// Up · Down as a dense [out, in] matrix in <paramref name="dtype"/>. The product is formed in float32 at least
    /// (float64 when either side is float64), so half-precision factors are not multiplied in half precision.
    /// </summary>
    public Tensor ToDense(ScalarType dtype)
    {
        if (!IsFloatingPoint(dtype))
        {
            throw new ArgumentException($"A dense weight needs a floating-point dtype; got {dtype}.", nameof(dtype));
        }
        using var scope = NewDisposeScope();
        using var grad = no_grad();
        var compute = dtype == ScalarType.Float64 || DType == ScalarType.Float64 ? ScalarType.Float64 : ScalarType.Float32;
        var dense = Up.to(compute).matmul(Down.to(compute)).to(dtype);
        return dense.MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Up.Dispose();
        Down.Dispose();
    }

    private static bool IsFloatingPoint(ScalarType dtype) =>
        dtype is ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Float32 or ScalarType.Float64;
}
