using static TorchSharp.torch;

namespace ContextPress.Predictor.Compression;

/// <summary>
/// The shared front of GPTQ and SparseGPT: dead inputs, optional activation order, damping and the upper Cholesky factor
/// U of H⁻¹ (H⁻¹ = UᵀU), whose row i holds the OBS update of the columns after i once columns before i are fixed.
/// </summary>
internal static class HessianInverse
{
    /// <summary>Result of <see cref="Compute"/>; all tensors belong to the caller's dispose scope.</summary>
    /// <param name="Upper">U [in, in] in the compute type, in the permuted order when <paramref name="Permutation"/> is set.</param>
    /// <param name="Dead">Boolean [in]: inputs whose calibration activations are all zero (diag H = 0).</param>
    /// <param name="Permutation">Column order by descending diag H (act-order), or null for the natural order.</param>
    public sealed record Result(Tensor Upper, Tensor Dead, Tensor? Permutation);

    /// <summary>
    /// Works on an fp64 copy of <paramref name="hessian"/>, so the caller's H may be a sum or a mean of xᵀx:
    /// the damping (<paramref name="percentDamp"/> of the mean diagonal) scales with it and U scales by 1/√c, which the
    /// OBS update (err / U_ii · U_i·) cancels. Dead inputs get the mean live diagonal (GPTQ uses 1, which is not
    /// scale-free); their weights are zeroed by the caller, so only the damping sees that value.
    /// </summary>
    public static Result Compute(Tensor hessian, double percentDamp, bool actOrder, ScalarType computeType, Device device)
    {
        using var scope = NewDisposeScope();
        var h = hessian.to(ScalarType.Float64, device, copy: true);
        if (!isfinite(h).all().item<bool>())
        {
            throw new ArgumentException("The Hessian contains NaN or infinite values.", nameof(hessian));
        }
        var diag = h.diagonal();
        if ((diag < 0).any().item<bool>())
        {
            throw new ArgumentException("The Hessian has a negative diagonal entry; pass Σ xᵀx (or its mean) over calibration tokens.", nameof(hessian));
        }
        var dead = diag == 0;
        var live = dead.logical_not();
        var liveMean = live.any().item<bool>() ? diag.masked_select(live).mean().item<double>() : 1.0;
        diag.masked_fill_(dead, liveMean);

        Tensor? permutation = null;
        if (actOrder)
        {
            permutation = argsort(diag, descending: true);
            h = h.index_select(0, permutation).index_select(1, permutation);
            diag = h.diagonal();
        }

        diag.add_(percentDamp * diag.mean().item<double>());
        var (lower, info) = linalg.cholesky_ex(h);
        if (info.item<int>() != 0)
        {
            throw new InvalidOperationException(
                $"The damped Hessian is not positive definite (Cholesky failed at column {info.item<int>()}); raise PercentDamp (now {percentDamp}) or use more calibration tokens.");
        }
        var inverse = cholesky_inverse(lower);
        var upper = linalg.cholesky(inverse).t().contiguous().to_type(computeType);
        return new Result(upper.MoveToOuterDisposeScope(), dead.MoveToOuterDisposeScope(), permutation?.MoveToOuterDisposeScope());
    }
}
