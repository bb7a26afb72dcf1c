using static TorchSharp.torch;

namespace ContextPress.Predictor.Compression;

/// <summary>
/// EoRA: a low-rank correction of a compressed (quantized or pruned) weight Ŵ, fitted to the error ΔW = W − Ŵ in the
/// eigenspace of the layer's input activations, so that Ŵ + Up·Down ≈ W where the inputs actually lie.
/// </summary>
/// <remarks>
/// With G = QΛQᵀ and Q' = QΛ^{1/2}: ‖(ΔW − C)Xᵀ‖²_F = ‖(ΔW − C)Q'‖²_F, so the truncated SVD of ΔW·Q', mapped back with
/// Q'⁻¹ = Λ^{-1/2}Qᵀ, is the best rank-r correction C on these inputs (the same argument as SVD-LLM, applied to the error).
/// Eigenvalues below <see cref="DefaultEigenvalueFloor"/>·λ_max (zero or slightly negative from rounding, or absent
/// directions when there are fewer calibration tokens than input channels) are raised to that floor, which keeps Q'
/// invertible: the full-rank correction still recovers ΔW exactly, and directions the inputs never take cost almost
/// nothing. (EoRA's code raises them to the smallest positive eigenvalue instead.) Computes in float64 and returns
/// factors in the original weight's dtype, with √Σ split evenly between them.
/// </remarks>
public static class Eora
{
    /// <summary>Eigenvalues of G are raised to at least this fraction of the largest one.</summary>
    public const double DefaultEigenvalueFloor = 1e-10;

    /// <summary>The rank-<paramref name="rank"/> correction C = Up·Down with Ŵ + C ≈ W in activation space.</summary>
    /// <param name="original">The dense weight W [out, in].</param>
    /// <param name="compressed">Its compressed form Ŵ [out, in] (dequantized, or with pruned entries zero).</param>
    /// <param name="gram">G = Σ xᵀx [in, in] over calibration inputs of this Linear (a sum or a mean).</param>
    /// <param name="rank">Rank of the correction, 1 ≤ rank ≤ min(out, in); min(out, in) recovers W exactly.</param>
    /// <param name="eigenvalueFloor">Relative floor of G's eigenvalues, in (0, 1).</param>
    public static LowRankWeight Compensate(Tensor original, Tensor compressed, Tensor gram, int rank, double eigenvalueFloor = DefaultEigenvalueFloor)
    {
        LowRankMath.CheckWeight(original, nameof(original));
        LowRankMath.CheckWeight(compressed, nameof(compressed));
        if (!original.shape.SequenceEqual(compressed.shape))
        {
            throw new ArgumentException($"compressed [{string.Join(", ", compressed.shape)}] must have the shape of original [{string.Join(", ", original.shape)}].", nameof(compressed));
        }
        LowRankMath.CheckRank(rank, original);
        LowRankMath.CheckGram(gram, original.shape[1], nameof(gram));
        if (!double.IsFinite(eigenvalueFloor) || eigenvalueFloor <= 0 || eigenvalueFloor >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(eigenvalueFloor), eigenvalueFloor, "eigenvalueFloor is relative to the largest eigenvalue and must be in (0, 1).");
        }

        using var scope = NewDisposeScope();
        using var grad = no_grad();
        var device = original.device;
        var delta = original.to(ScalarType.Float64) - compressed.to(ScalarType.Float64, device);
        var (eigenvalues, eigenvectors) = linalg.eigh(LowRankMath.SymmetricFloat64(gram.to(device)), 'L');
        var largest = eigenvalues.max().item<double>();
        if (!(largest > 0))
        {
            throw new ArgumentException($"gram has no positive eigenvalue (largest {largest}); it is not a Gram matrix of nonzero inputs.", nameof(gram));
        }
        var root = eigenvalues.clamp_min(eigenvalueFloor * largest).sqrt();
        var projection = eigenvectors * root.unsqueeze(0); // Q' = QΛ^{1/2}
        var (up, downProjected) = LowRankMath.TruncatedBalancedSvd(delta.matmul(projection), rank);
        var down = (downProjected / root.unsqueeze(0)).matmul(eigenvectors.t()); // · Q'⁻¹ = · Λ^{-1/2}Qᵀ
        return LowRankMath.ToWeight(up, down, original);
    }
}
