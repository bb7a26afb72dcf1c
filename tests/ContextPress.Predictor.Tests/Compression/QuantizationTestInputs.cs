using TorchSharp;
using static TorchSharp.torch;

namespace ContextPress.Predictor.Tests.Compression;

/// <summary>Seeded weights and calibration inputs for the quantization and pruning tests.</summary>
internal static class QuantizationTestInputs
{
    public static Tensor Weight(long rows, long columns, int seed, ScalarType dtype = ScalarType.Float32)
    {
        using var g = new Generator((ulong)seed);
        return randn(rows, columns, generator: g).to_type(dtype);
    }

    /// <summary>
    /// Calibration inputs X [tokens, columns] with strongly correlated columns (a rank-columns/4 signal plus a little
    /// noise) and channel scales spread over ~e^±1, the regime where GPTQ/SparseGPT's error feedback pays off.
    /// </summary>
    public static Tensor CorrelatedInputs(long tokens, long columns, int seed)
    {
        using var scope = NewDisposeScope();
        using var g = new Generator((ulong)seed);
        var rank = Math.Max(2, columns / 4);
        var latent = randn(tokens, rank, generator: g, dtype: ScalarType.Float64);
        var mixing = randn(rank, columns, generator: g, dtype: ScalarType.Float64);
        var noise = randn(tokens, columns, generator: g, dtype: ScalarType.Float64) * 0.1;
        var channelScale = (randn(columns, generator: g, dtype: ScalarType.Float64) * 0.5).exp();
        return ((latent.matmul(mixing) + noise) * channelScale).MoveToOuterDisposeScope();
    }

    /// <summary>H = Σ xᵀx over the tokens (fp64).</summary>
    public static Tensor Hessian(Tensor x) => x.t().matmul(x);

    /// <summary>‖(W − Ŵ)Xᵀ‖_F in fp64.</summary>
    public static double OutputError(Tensor weight, Tensor approximation, Tensor x)
    {
        using var scope = NewDisposeScope();
        var delta = weight.to_type(ScalarType.Float64) - approximation.to_type(ScalarType.Float64);
        return delta.matmul(x.to_type(ScalarType.Float64).t()).norm().item<double>();
    }

    public static byte[] Bytes(Tensor t) => t.contiguous().data<byte>().ToArray();

    public static float[] Floats(Tensor t) => t.to_type(ScalarType.Float32).contiguous().data<float>().ToArray();
}
