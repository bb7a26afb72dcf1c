using static TorchSharp.torch;

namespace ContextPress.Predictor.Tests.Compression;

/// <summary>Seeded fp64 matrices for the low-rank and EoRA tests.</summary>
internal static class LowRankTestData
{
    public static Tensor Gaussian(Generator generator, long rows, long columns) =>
        randn([rows, columns], ScalarType.Float64, generator: generator);

    /// <summary>
    /// Inputs X [tokens, features] with correlated channels and channel scales spread over about two orders of magnitude,
    /// like a transformer's hidden states (and unlike white noise, for which every method would agree).
    /// </summary>
    public static Tensor CorrelatedInputs(Generator generator, long tokens, long features)
    {
        using var scope = NewDisposeScope();
        var white = Gaussian(generator, tokens, features);
        var mixing = eye(features, dtype: ScalarType.Float64) + Gaussian(generator, features, features) / Math.Sqrt(features);
        var scales = (randn([features], ScalarType.Float64, generator: generator) * 1.2).exp();
        return (white.matmul(mixing) * scales.unsqueeze(0)).MoveToOuterDisposeScope();
    }

    /// <summary>‖(W − W')Xᵀ‖²_F computed from the inputs themselves, not from their Gram matrix.</summary>
    public static double ActivationLoss(Tensor weight, Tensor approximation, Tensor inputs)
    {
        using var scope = NewDisposeScope();
        return (weight.to(ScalarType.Float64) - approximation.to(ScalarType.Float64)).matmul(inputs.t()).square().sum().item<double>();
    }

    /// <summary>Descending squared singular values of a matrix, in fp64.</summary>
    public static double[] SquaredSingularValues(Tensor matrix)
    {
        using var scope = NewDisposeScope();
        return linalg.svdvals(matrix.to(ScalarType.Float64)).square().data<double>().ToArray();
    }

    public static double MaxAbs(Tensor tensor)
    {
        using var scope = NewDisposeScope();
        return tensor.abs().max().item<double>();
    }
}
