using static TorchSharp.torch;

namespace ContextPress.Predictor.Compression;

/// <summary>
/// Wanda (Sun et al., ICLR 2024): removes the weights with the smallest |W_ij|·‖X_j‖₂ within each output row, where
/// ‖X_j‖₂² is input channel j's squared norm over the calibration tokens (the diagonal of H = Σ xᵀx). No weight update.
/// </summary>
public static class Wanda
{
    /// <summary>A pruned copy of <paramref name="weight"/> [out, in], in its dtype.</summary>
    /// <param name="weight">The weight [out, in].</param>
    /// <param name="inputNormSquared">Σ over calibration tokens of x_j² per input channel, [in] (diag H; a mean works too).</param>
    /// <param name="pattern">Unstructured (per row) or N:M.</param>
    /// <exception cref="ArgumentException">Bad shapes, negative or non-finite norms, or M not dividing in.</exception>
    public static Tensor Prune(Tensor weight, Tensor inputNormSquared, SparsityPattern pattern)
    {
        WeightChecks.ThrowIfNotMatrix(weight);
        ArgumentNullException.ThrowIfNull(inputNormSquared);
        ArgumentNullException.ThrowIfNull(pattern);
        if (inputNormSquared.dim() != 1 || inputNormSquared.shape[0] != weight.shape[1] || !inputNormSquared.is_floating_point())
        {
            throw new ArgumentException(
                $"inputNormSquared must be a floating vector of the weight's {weight.shape[1]} inputs; got {inputNormSquared.dtype} [{string.Join(", ", inputNormSquared.shape)}].",
                nameof(inputNormSquared));
        }
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var norms = inputNormSquared.to(ScalarType.Float64, weight.device);
        if (!(isfinite(norms).all().item<bool>() && (norms >= 0).all().item<bool>()))
        {
            throw new ArgumentException("inputNormSquared must be finite and non-negative.", nameof(inputNormSquared));
        }
        var score = weight.to_type(ScalarType.Float64).abs() * norms.sqrt().unsqueeze(0);
        var mask = PruningMasks.PerRow(score, pattern);
        return PruningMasks.Apply(weight, mask).MoveToOuterDisposeScope();
    }
}
