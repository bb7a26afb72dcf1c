using static TorchSharp.torch;

namespace ContextPress.Predictor.Compression;

/// <summary>
/// Truncated-SVD factorizations of a Linear weight W [out, in] into <see cref="LowRankWeight"/> (W ≈ Up·Down):
/// plain SVD, ASVD (activation-scaled) and SVD-LLM (truncation-aware whitening).
/// </summary>
/// <remarks>
/// All three compute in float64 on the weight's device and return factors in the weight's dtype. Each splits the kept
/// singular values evenly, Up = U_k√Σ_k and Down = √Σ_k V_kᵀ(·scaling⁻¹), as SVD-LLM's code does, so both factors have
/// similar ranges (which matters when they are quantized later).
/// </remarks>
public static class LowRankFactorization
{
    /// <summary>Default ridge of <see cref="SvdLlm"/>, relative to the mean diagonal of the Gram matrix.</summary>
    public const double DefaultDamping = 1e-6;

    /// <summary>Scales of ASVD below this fraction of the largest are raised to it, so S stays invertible for dead input channels.</summary>
    public const double AsvdScaleFloor = 1e-6;

    /// <summary>
    /// Plain truncated SVD: the rank-<paramref name="rank"/> matrix nearest to W in Frobenius norm, ignoring activations.
    /// </summary>
    public static LowRankWeight Svd(Tensor weight, int rank)
    {
        LowRankMath.CheckWeight(weight, nameof(weight));
        LowRankMath.CheckRank(rank, weight);
        using var scope = NewDisposeScope();
        using var grad = no_grad();
        var (up, down) = LowRankMath.TruncatedBalancedSvd(weight.to(ScalarType.Float64), rank);
        return LowRankMath.ToWeight(up, down, weight);
    }

    /// <summary>
    /// ASVD with diagonal scaling: S = diag(mean|x|^α) per input channel, truncated SVD of W·S, and S⁻¹ folded into Down,
    /// so Down = √Σ_k V_kᵀ S⁻¹. Channels with large activations are reconstructed more faithfully.
    /// </summary>
    /// <param name="weight">W [out, in].</param>
    /// <param name="meanAbsActivation">Mean absolute activation of each input channel over the calibration tokens, [in].</param>
    /// <param name="rank">Kept rank, 1 ≤ rank ≤ min(out, in).</param>
    /// <param name="alpha">Exponent of the scaling (ASVD uses about 0.5; 0 gives plain SVD).</param>
    public static LowRankWeight Asvd(Tensor weight, Tensor meanAbsActivation, int rank, double alpha = 0.5)
    {
        LowRankMath.CheckWeight(weight, nameof(weight));
        LowRankMath.CheckRank(rank, weight);
        ArgumentNullException.ThrowIfNull(meanAbsActivation);
        if (meanAbsActivation.dim() != 1 || meanAbsActivation.shape[0] != weight.shape[1])
        {
            throw new ArgumentException($"meanAbsActivation must have one value per input channel, [{weight.shape[1]}]; got [{string.Join(", ", meanAbsActivation.shape)}].", nameof(meanAbsActivation));
        }
        if (!double.IsFinite(alpha) || alpha < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "alpha must be a finite exponent ≥ 0.");
        }
        LowRankMath.CheckFinite(meanAbsActivation, nameof(meanAbsActivation));

        using var scope = NewDisposeScope();
        using var grad = no_grad();
        var activation = meanAbsActivation.to(ScalarType.Float64, weight.device);
        if (activation.min().item<double>() < 0)
        {
            throw new ArgumentException("meanAbsActivation holds mean absolute values; it must not be negative.", nameof(meanAbsActivation));
        }
        var largest = activation.max().item<double>();
        if (!(largest > 0))
        {
            throw new ArgumentException("meanAbsActivation is zero for every channel; there is nothing to scale by.", nameof(meanAbsActivation));
        }
        var scale = activation.clamp_min(AsvdScaleFloor * largest).pow(alpha);
        var (up, down) = LowRankMath.TruncatedBalancedSvd(weight.to(ScalarType.Float64) * scale.unsqueeze(0), rank);
        return LowRankMath.ToWeight(up, down / scale.unsqueeze(0), weight);
    }

    /// <summary>
    /// SVD-LLM (whitening only, training-free): Cholesky G = LLᵀ of the calibration Gram matrix, truncated SVD of W·L, and
    /// Down = √Σ_k V_kᵀ L⁻¹. Because ‖(W − Up·Down)Xᵀ‖²_F = ‖(W − Up·Down)L‖²_F, the activation-space loss of the result is
    /// exactly the sum of the dropped σ_i(W·L)², the least any rank-k matrix achieves on these inputs.
    /// </summary>
    /// <param name="weight">W [out, in].</param>
    /// <param name="gram">G = Σ xᵀx [in, in] over the calibration inputs of this Linear (a sum or a mean: the result is the same).</param>
    /// <param name="rank">Kept rank, 1 ≤ rank ≤ min(out, in).</param>
    /// <param name="damping">
    /// Ridge λ = damping·mean(diag G) added to G before the Cholesky factorization; it bounds L⁻¹ for nearly dead input
    /// channels (0 reproduces SVD-LLM exactly). When G + λI is still not positive definite, the jitter is retried from
    /// 1e-10·mean(diag G) upwards, ×10 per try.
    /// </param>
    public static LowRankWeight SvdLlm(Tensor weight, Tensor gram, int rank, double damping = DefaultDamping)
    {
        LowRankMath.CheckWeight(weight, nameof(weight));
        LowRankMath.CheckRank(rank, weight);
        LowRankMath.CheckGram(gram, weight.shape[1], nameof(gram));
        CheckDamping(damping);

        using var scope = NewDisposeScope();
        using var grad = no_grad();
        var factor = Whitening(gram, weight.device, damping);
        var (up, downWhitened) = LowRankMath.TruncatedBalancedSvd(weight.to(ScalarType.Float64).matmul(factor), rank);
        // Down = downWhitened · L⁻¹, solved as Down · L = downWhitened rather than by inverting L.
        var down = linalg.solve_triangular(factor, downWhitened, upper: false, left: false);
        return LowRankMath.ToWeight(up, down, weight);
    }

    /// <summary>
    /// The activation-space squared error tr(ΔW·G·ΔWᵀ) = ‖(W − W')Xᵀ‖²_F of replacing <paramref name="original"/> by
    /// <paramref name="approximation"/> on the inputs whose Gram matrix is <paramref name="gram"/>, computed in float64.
    /// </summary>
    public static double ActivationError(Tensor original, Tensor approximation, Tensor gram)
    {
        LowRankMath.CheckWeight(original, nameof(original));
        LowRankMath.CheckWeight(approximation, nameof(approximation));
        if (!original.shape.SequenceEqual(approximation.shape))
        {
            throw new ArgumentException($"approximation [{string.Join(", ", approximation.shape)}] must have the shape of original [{string.Join(", ", original.shape)}].", nameof(approximation));
        }
        LowRankMath.CheckGram(gram, original.shape[1], nameof(gram));
        using var scope = NewDisposeScope();
        using var grad = no_grad();
        var delta = original.to(ScalarType.Float64) - approximation.to(ScalarType.Float64, original.device);
        var g = gram.to(ScalarType.Float64, original.device);
        return (delta.matmul(g) * delta).sum().item<double>();
    }

    /// <summary>The lower Cholesky factor L of the damped, symmetrized G (fp64, on <paramref name="device"/>).</summary>
    internal static Tensor Whitening(Tensor gram, Device device, double damping)
    {
        using var scope = NewDisposeScope();
        var symmetric = LowRankMath.SymmetricFloat64(gram.to(device));
        return LowRankMath.CholeskyWithJitter(symmetric, damping, nameof(gram)).MoveToOuterDisposeScope();
    }

    internal static void CheckDamping(double damping)
    {
        if (!double.IsFinite(damping) || damping < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(damping), damping, "damping must be a finite ridge ≥ 0 (relative to the Gram matrix's mean diagonal).");
        }
    }
}
