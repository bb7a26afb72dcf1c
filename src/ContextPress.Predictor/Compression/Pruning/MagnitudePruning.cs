using static TorchSharp.torch;

namespace ContextPress.Predictor.Compression;

/// <summary>
/// Magnitude pruning: removes the weights of smallest |w| within each output row. (Wanda's reference baseline ranks the
/// whole matrix at once; ranking per row gives the exact per-row counts and is Wanda with equal input norms.)
/// </summary>
public static class MagnitudePruning
{
    /// <summary>A pruned copy of <paramref name="weight"/> [out, in], in its dtype.</summary>
    /// <exception cref="ArgumentException">Not a 2-D floating weight, or M of an N:M pattern does not divide in.</exception>
    public static Tensor Prune(Tensor weight, SparsityPattern pattern)
    {
        WeightChecks.ThrowIfNotMatrix(weight);
        ArgumentNullException.ThrowIfNull(pattern);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var mask = PruningMasks.PerRow(weight.to_type(ScalarType.Float64).abs(), pattern);
        return PruningMasks.Apply(weight, mask).MoveToOuterDisposeScope();
    }
}
