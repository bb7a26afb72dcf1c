using ContextPress.Predictor.Compression;
using static ContextPress.Predictor.Tests.Compression.LowRankTestData;
using static TorchSharp.torch;

namespace ContextPress.Predictor.Tests.Compression;

public sealed class EoraTests
{
    /// <summary>Round-to-nearest on a coarse grid: a stand-in for 3-bit quantization.</summary>
    private static Tensor Quantized(Tensor weight) => (weight * 2).round() / 2;

    /// <summary>Half the weights, the smallest in magnitude, set to zero.</summary>
    private static Tensor Pruned(Tensor weight)
    {
        var threshold = weight.abs().flatten().sort().Values[weight.NumberOfElements / 2 - 1];
        return weight * (weight.abs() > threshold).to(weight.dtype);
    }

    private static Tensor Compress(string how, Tensor weight) => how == "quantized" ? Quantized(weight) : Pruned(weight);

    [Theory]
    [InlineData("quantized", 256)]
    [InlineData("pruned", 256)]
    [InlineData("quantized", 24)] // fewer tokens than inputs: G is singular and its zero eigenvalues are floored
    public void FullRankRecoversTheWeight(string how, int tokens)
    {
        using var scope = NewDisposeScope();
        var g = new Generator(1);
        var weight = Gaussian(g, 40, 56);
        var compressed = Compress(how, weight);
        var inputs = CorrelatedInputs(g, tokens, 56);

        using var correction = Eora.Compensate(weight, compressed, inputs.t().matmul(inputs), 40);

        var recovered = compressed + correction.ToDense();
        Assert.True(MaxAbs(recovered - weight) <= 1e-8 * MaxAbs(weight), $"max error {MaxAbs(recovered - weight)}");
    }

    [Theory]
    [InlineData("quantized", 4, 2)]
    [InlineData("quantized", 12, 3)]
    [InlineData("pruned", 8, 4)]
    public void ARankRCorrectionIsTheBestInActivationSpace(string how, int rank, int seed)
    {
        using var scope = NewDisposeScope();
        var g = new Generator((ulong)seed);
        var weight = Gaussian(g, 48, 64);
        var compressed = Compress(how, weight);
        var inputs = CorrelatedInputs(g, 256, 64);
        var gram = inputs.t().matmul(inputs);
        var delta = weight - compressed;

        using var eora = Eora.Compensate(weight, compressed, gram, rank);
        using var plain = LowRankFactorization.Svd(delta, rank);

        var uncompensated = ActivationLoss(weight, compressed, inputs);
        var withEora = ActivationLoss(weight, compressed + eora.ToDense(), inputs);
        var withPlainSvd = ActivationLoss(weight, compressed + plain.ToDense(), inputs);
        Assert.True(withEora < uncompensated, $"EoRA {withEora} vs none {uncompensated}");
        Assert.True(withEora < withPlainSvd, $"EoRA {withEora} vs SVD of ΔW {withPlainSvd}");
        // Optimal: what is left is the dropped part of ΔW's spectrum on these inputs.
        var optimum = SquaredSingularValues(delta.matmul(inputs.t())).Skip(rank).Sum();
        Assert.Equal(optimum, withEora, optimum * 1e-8);
    }

    [Fact]
    public void KeepsTheWeightsDtypeAndAcceptsAMeanGram()
    {
        using var scope = NewDisposeScope();
        var g = new Generator(5);
        var weight = Gaussian(g, 32, 48);
        var compressed = Quantized(weight);
        var inputs = CorrelatedInputs(g, 128, 48);
        var gram = inputs.t().matmul(inputs);

        using var reference = Eora.Compensate(weight, compressed, gram, 6);
        using var fromMean = Eora.Compensate(weight, compressed, gram / 128.0, 6);
        using var single = Eora.Compensate(weight.to(ScalarType.Float32), compressed.to(ScalarType.BFloat16), gram.to(ScalarType.Float32), 6);

        Assert.Equal(ScalarType.Float32, single.DType);
        Assert.Equal(6, single.Rank);
        Assert.Equal(6L * (32 + 48), single.ParameterCount);
        Assert.True(MaxAbs(fromMean.ToDense() - reference.ToDense()) < 1e-9 * MaxAbs(reference.ToDense()));
        var referenceLoss = ActivationLoss(weight, compressed + reference.ToDense(), inputs);
        var singleLoss = ActivationLoss(weight, compressed + single.ToDense(ScalarType.Float64), inputs);
        Assert.True(Math.Abs(singleLoss - referenceLoss) < 1e-3 * referenceLoss, $"fp32 {singleLoss} vs fp64 {referenceLoss}");
    }

    [Fact]
    public void BadArgumentsNameTheSetting()
    {
        using var scope = NewDisposeScope();
        var g = new Generator(9);
        var weight = Gaussian(g, 8, 6);
        var gram = eye(6, dtype: ScalarType.Float64);

        Assert.Equal("compressed", Assert.Throws<ArgumentException>(() => Eora.Compensate(weight, weight.t(), gram, 2)).ParamName);
        Assert.Equal("original", Assert.Throws<ArgumentException>(() => Eora.Compensate(ones(6, dtype: ScalarType.Float64), weight, gram, 2)).ParamName);
        Assert.Equal("rank", Assert.Throws<ArgumentOutOfRangeException>(() => Eora.Compensate(weight, weight, gram, 0)).ParamName);
        Assert.Equal("rank", Assert.Throws<ArgumentOutOfRangeException>(() => Eora.Compensate(weight, weight, gram, 7)).ParamName);
        Assert.Equal("gram", Assert.Throws<ArgumentException>(() => Eora.Compensate(weight, weight, eye(8, dtype: ScalarType.Float64), 2)).ParamName);
        Assert.Equal("gram", Assert.Throws<ArgumentException>(() => Eora.Compensate(weight, weight, zeros([6, 6], ScalarType.Float64), 2)).ParamName);
        Assert.Equal("gram", Assert.Throws<ArgumentException>(() => Eora.Compensate(weight, weight, full([6, 6], double.PositiveInfinity, ScalarType.Float64), 2)).ParamName);
        Assert.Equal("eigenvalueFloor", Assert.Throws<ArgumentOutOfRangeException>(() => Eora.Compensate(weight, weight, gram, 2, eigenvalueFloor: 0)).ParamName);
    }
}
