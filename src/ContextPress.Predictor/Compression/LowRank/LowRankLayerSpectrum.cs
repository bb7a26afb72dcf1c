using static TorchSharp.torch;

namespace ContextPress.Predictor.Compression;

/// <summary>
/// One Linear's squared singular values, largest first, as <see cref="LowRankBudget.AllocateRanks"/> consumes them:
/// dropping σ_i costs σ_i² of loss. Use the whitened spectrum (<see cref="Whitened"/>) for SVD-LLM, where σ_i² is exactly
/// the activation-space loss; all layers of one allocation must use the same convention (Gram sums over the same tokens,
/// or all means).
/// </summary>
/// <param name="Name">The layer's name, for reports.</param>
/// <param name="Out">Output features (rows of W).</param>
/// <param name="In">Input features (columns of W).</param>
/// <param name="SquaredSingularValues">σ_i², non-increasing, at most min(out, in) values (missing ones count as 0).</param>
public sealed record LowRankLayerSpectrum(string Name, int Out, int In, double[] SquaredSingularValues)
{
    /// <summary>The spectrum of W itself (plain SVD's loss: ‖W − W'‖²_F).</summary>
    public static LowRankLayerSpectrum FromWeight(string name, Tensor weight)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        LowRankMath.CheckWeight(weight, nameof(weight));
        using var scope = NewDisposeScope();
        using var grad = no_grad();
        return FromMatrix(name, weight, weight.to(ScalarType.Float64));
    }

    /// <summary>
    /// The spectrum of W·L with G = LLᵀ (SVD-LLM's whitening, same damping as <see cref="LowRankFactorization.SvdLlm"/>):
    /// σ_i² is the activation-space loss of dropping the i-th direction.
    /// </summary>
    public static LowRankLayerSpectrum Whitened(string name, Tensor weight, Tensor gram, double damping = LowRankFactorization.DefaultDamping)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        LowRankMath.CheckWeight(weight, nameof(weight));
        LowRankMath.CheckGram(gram, weight.shape[1], nameof(gram));
        LowRankFactorization.CheckDamping(damping);
        using var scope = NewDisposeScope();
        using var grad = no_grad();
        var factor = LowRankFactorization.Whitening(gram, weight.device, damping);
        return FromMatrix(name, weight, weight.to(ScalarType.Float64).matmul(factor));
    }

    private static LowRankLayerSpectrum FromMatrix(string name, Tensor weight, Tensor matrix64)
    {
        var squared = linalg.svdvals(matrix64).square().cpu().data<double>().ToArray();
        return new LowRankLayerSpectrum(name, (int)weight.shape[0], (int)weight.shape[1], squared);
    }
}
