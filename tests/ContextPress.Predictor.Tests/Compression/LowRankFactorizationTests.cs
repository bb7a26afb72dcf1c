using ContextPress.Predictor.Compression;
using static ContextPress.Predictor.Tests.Compression.LowRankTestData;
using static TorchSharp.torch;

namespace ContextPress.Predictor.Tests.Compression;

public sealed class LowRankFactorizationTests
{
    [Theory]
    [InlineData(48, 64, 16, 1)]
    [InlineData(96, 40, 7, 2)]
    [InlineData(64, 64, 1, 3)]
    public void SvdLlmLossIsTheSumOfTheDroppedWhitenedSquaredSingularValues(int outFeatures, int inFeatures, int rank, int seed)
    {
        using var scope = NewDisposeScope();
        var g = new Generator((ulong)seed);
        var weight = Gaussian(g, outFeatures, inFeatures);
        var inputs = CorrelatedInputs(g, 256, inFeatures);
        var gram = inputs.t().matmul(inputs);

        using var factors = LowRankFactorization.SvdLlm(weight, gram, rank, damping: 0);

        // σ(W·L) = σ(W·Xᵀ) because both have the Gram matrix W·G·Wᵀ; taking them from X keeps the check independent of L.
        var expected = SquaredSingularValues(weight.matmul(inputs.t())).Skip(rank).Sum();
        var actual = ActivationLoss(weight, factors.ToDense(), inputs);
        Assert.True(Math.Abs(actual - expected) <= 1e-6 * expected, $"loss {actual} vs Σ dropped σ² {expected}");
        Assert.Equal(expected, LowRankFactorization.ActivationError(weight, factors.ToDense(), gram), expected * 1e-6);
        Assert.Equal(rank, factors.Rank);
        Assert.Equal(new long[] { outFeatures, rank }, factors.Up.shape);
        Assert.Equal(new long[] { rank, inFeatures }, factors.Down.shape);
        Assert.Equal((long)rank * (outFeatures + inFeatures), factors.ParameterCount);
    }

    [Fact]
    public void SvdLlmWithWhiteInputsIsPlainSvd()
    {
        using var scope = NewDisposeScope();
        var g = new Generator(11);
        var weight = Gaussian(g, 40, 32);
        var (orthonormal, _) = linalg.qr(Gaussian(g, 200, 32));
        var gram = orthonormal.t().matmul(orthonormal); // XᵀX = I up to rounding

        using var plain = LowRankFactorization.Svd(weight, 10);
        using var whitened = LowRankFactorization.SvdLlm(weight, gram, 10);
        using var identity = LowRankFactorization.SvdLlm(weight, eye(32, dtype: ScalarType.Float64) * 3.0, 10, damping: 0);

        var reference = plain.ToDense();
        Assert.True(MaxAbs(whitened.ToDense() - reference) < 1e-9, "SVD-LLM on white inputs differs from SVD");
        Assert.True(MaxAbs(identity.ToDense() - reference) < 1e-12, "SVD-LLM with G = 3I differs from SVD");
    }

    [Theory]
    [InlineData(0.8, 5)]
    [InlineData(0.6, 6)]
    public void SvdLlmBeatsAsvdAndPlainSvdInActivationSpaceOnCorrelatedInputs(double keep, int seed)
    {
        using var scope = NewDisposeScope();
        var g = new Generator((ulong)seed);
        var weight = Gaussian(g, 64, 96);
        var inputs = CorrelatedInputs(g, 512, 96);
        var gram = inputs.t().matmul(inputs);
        var meanAbs = inputs.abs().mean([0]);
        var rank = LowRankBudget.RankForKeptFraction(64, 96, keep);

        using var svd = LowRankFactorization.Svd(weight, rank);
        using var asvd = LowRankFactorization.Asvd(weight, meanAbs, rank);
        using var svdLlm = LowRankFactorization.SvdLlm(weight, gram, rank);

        var svdLoss = ActivationLoss(weight, svd.ToDense(), inputs);
        var asvdLoss = ActivationLoss(weight, asvd.ToDense(), inputs);
        var svdLlmLoss = ActivationLoss(weight, svdLlm.ToDense(), inputs);
        Assert.True(svdLlmLoss < asvdLoss, $"SVD-LLM {svdLlmLoss} vs ASVD {asvdLoss}");
        Assert.True(svdLlmLoss < svdLoss, $"SVD-LLM {svdLlmLoss} vs SVD {svdLoss}");
        // And the other way round: plain SVD is the best in weight space.
        Assert.True(Frobenius(weight - svd.ToDense()) <= Frobenius(weight - svdLlm.ToDense()));
    }

    [Fact]
    public void AsvdWeightsChannelsByTheirActivations()
    {
        using var scope = NewDisposeScope();
        var g = new Generator(21);
        var weight = Gaussian(g, 32, 48);
        var inputs = CorrelatedInputs(g, 256, 48);
        var meanAbs = inputs.abs().mean([0]);

        using var plain = LowRankFactorization.Svd(weight, 8);
        using var alphaZero = LowRankFactorization.Asvd(weight, meanAbs, 8, alpha: 0);
        using var uniform = LowRankFactorization.Asvd(weight, ones(48, dtype: ScalarType.Float64) * 0.3, 8);
        using var scaled = LowRankFactorization.Asvd(weight, meanAbs, 8, alpha: 1);
        Assert.True(MaxAbs(alphaZero.ToDense() - plain.ToDense()) < 1e-10);
        Assert.True(MaxAbs(uniform.ToDense() - plain.ToDense()) < 1e-10);

        // With α = 1 the scaled matrix is W·diag(mean|x|): the loss ASVD minimizes exactly is ‖(W − W')·diag(mean|x|)‖²_F.
        var scale = meanAbs.unsqueeze(0);
        var expected = SquaredSingularValues(weight * scale).Skip(8).Sum();
        Assert.Equal(expected, ((weight - scaled.ToDense()) * scale).square().sum().item<double>(), expected * 1e-9);
    }

    [Fact]
    public void AsvdSurvivesDeadInputChannels()
    {
        using var scope = NewDisposeScope();
        var g = new Generator(22);
        var weight = Gaussian(g, 24, 32);
        var meanAbs = rand([32], ScalarType.Float64, generator: g) + 0.1;
        meanAbs[3] = tensor(0.0);

        using var factors = LowRankFactorization.Asvd(weight, meanAbs, 6);
        Assert.True(isfinite(factors.Down).all().item<bool>());
    }

    [Fact]
    public void SvdRecoversAMatrixOfThatRankAndSplitsTheSingularValuesEvenly()
    {
        using var scope = NewDisposeScope();
        var g = new Generator(31);
        var weight = Gaussian(g, 30, 5).matmul(Gaussian(g, 5, 20));

        using var factors = LowRankFactorization.Svd(weight, 5);
        Assert.True(MaxAbs(factors.ToDense() - weight) < 1e-10 * MaxAbs(weight));
        // √Σ in both factors: Up's column norms equal Down's row norms.
        var upNorms = factors.Up.square().sum([0]).sqrt();
        var downNorms = factors.Down.square().sum([1]).sqrt();
        Assert.True(MaxAbs(upNorms - downNorms) < 1e-10);
    }

    [Fact]
    public void ResultsComeBackInTheWeightsDtypeAndAgreeWithFloat64()
    {
        using var scope = NewDisposeScope();
        var g = new Generator(41);
        var weight = Gaussian(g, 48, 64);
        var inputs = CorrelatedInputs(g, 256, 64);
        var gram = inputs.t().matmul(inputs);

        using var reference = LowRankFactorization.SvdLlm(weight, gram, 12);
        using var single = LowRankFactorization.SvdLlm(weight.to(ScalarType.Float32), gram.to(ScalarType.Float32), 12);
        using var half = LowRankFactorization.Svd(weight.to(ScalarType.BFloat16), 12);
        Assert.Equal(ScalarType.Float32, single.DType);
        Assert.Equal(ScalarType.Float32, single.Up.dtype);
        Assert.Equal(ScalarType.BFloat16, half.Down.dtype);
        Assert.Equal(ScalarType.Float32, half.ToDense(ScalarType.Float32).dtype);

        var referenceLoss = ActivationLoss(weight, reference.ToDense(), inputs);
        var singleLoss = ActivationLoss(weight, single.ToDense(ScalarType.Float64), inputs);
        Assert.True(Math.Abs(singleLoss - referenceLoss) < 1e-3 * referenceLoss, $"fp32 {singleLoss} vs fp64 {referenceLoss}");
    }

    [Fact]
    public void GramAsSumOrMeanGivesTheSameFactorization()
    {
        using var scope = NewDisposeScope();
        var g = new Generator(51);
        var weight = Gaussian(g, 32, 40);
        var inputs = CorrelatedInputs(g, 300, 40);
        var sum = inputs.t().matmul(inputs);

        using var fromSum = LowRankFactorization.SvdLlm(weight, sum, 9);
        using var fromMean = LowRankFactorization.SvdLlm(weight, sum / 300.0, 9);
        Assert.True(MaxAbs(fromSum.ToDense() - fromMean.ToDense()) < 1e-9 * MaxAbs(weight));
    }

    [Fact]
    public void SvdLlmFactorsASingularGramWithJitter()
    {
        using var scope = NewDisposeScope();
        var g = new Generator(61);
        var weight = Gaussian(g, 32, 64);
        var inputs = CorrelatedInputs(g, 20, 64); // 20 tokens: G has rank 20 of 64, so plain Cholesky fails
        var gram = inputs.t().matmul(inputs);
        Assert.NotEqual(0, linalg.cholesky_ex(gram).info.item<int>());

        using var factors = LowRankFactorization.SvdLlm(weight, gram, 8, damping: 0);
        using var svd = LowRankFactorization.Svd(weight, 8);
        var loss = ActivationLoss(weight, factors.ToDense(), inputs);
        var optimum = SquaredSingularValues(weight.matmul(inputs.t())).Skip(8).Sum();
        Assert.True(isfinite(factors.Down).all().item<bool>());
        Assert.True(Math.Abs(loss - optimum) < 1e-4 * optimum, $"loss {loss} vs optimum {optimum}");
        Assert.True(loss < ActivationLoss(weight, svd.ToDense(), inputs));
    }

    [Fact]
    public void BadArgumentsNameTheSetting()
    {
        using var scope = NewDisposeScope();
        var g = new Generator(71);
        var weight = Gaussian(g, 8, 6);
        var gram = eye(6, dtype: ScalarType.Float64);
        var meanAbs = ones(6, dtype: ScalarType.Float64);

        Assert.Equal("rank", Assert.Throws<ArgumentOutOfRangeException>(() => LowRankFactorization.Svd(weight, 0)).ParamName);
        Assert.Equal("rank", Assert.Throws<ArgumentOutOfRangeException>(() => LowRankFactorization.SvdLlm(weight, gram, 7)).ParamName);
        Assert.Equal("weight", Assert.Throws<ArgumentException>(() => LowRankFactorization.Svd(ones(6, dtype: ScalarType.Float64), 1)).ParamName);
        Assert.Equal("weight", Assert.Throws<ArgumentException>(() => LowRankFactorization.Svd(ones([4, 4], ScalarType.Int32), 1)).ParamName);
        Assert.Equal("weight", Assert.Throws<ArgumentException>(() => LowRankFactorization.Svd(full([4, 4], double.NaN, ScalarType.Float64), 1)).ParamName);
        Assert.Equal("gram", Assert.Throws<ArgumentException>(() => LowRankFactorization.SvdLlm(weight, eye(8, dtype: ScalarType.Float64), 2)).ParamName);
        Assert.Equal("gram", Assert.Throws<ArgumentException>(() => LowRankFactorization.SvdLlm(weight, -gram, 2)).ParamName);
        var indefinite = diag(tensor(new double[] { 1, 1, 1, 1, 1, -3 }));
        var notPsd = Assert.Throws<ArgumentException>(() => LowRankFactorization.SvdLlm(weight, indefinite, 2));
        Assert.Equal("gram", notPsd.ParamName);
        Assert.Contains("positive semidefinite", notPsd.Message, StringComparison.Ordinal);
        Assert.Equal("damping", Assert.Throws<ArgumentOutOfRangeException>(() => LowRankFactorization.SvdLlm(weight, gram, 2, damping: -1)).ParamName);
        Assert.Equal("meanAbsActivation", Assert.Throws<ArgumentException>(() => LowRankFactorization.Asvd(weight, ones(5, dtype: ScalarType.Float64), 2)).ParamName);
        Assert.Equal("meanAbsActivation", Assert.Throws<ArgumentException>(() => LowRankFactorization.Asvd(weight, -meanAbs, 2)).ParamName);
        Assert.Equal("meanAbsActivation", Assert.Throws<ArgumentException>(() => LowRankFactorization.Asvd(weight, zeros(6, dtype: ScalarType.Float64), 2)).ParamName);
        Assert.Equal("alpha", Assert.Throws<ArgumentOutOfRangeException>(() => LowRankFactorization.Asvd(weight, meanAbs, 2, alpha: double.NaN)).ParamName);
        Assert.Throws<ArgumentException>(() => new LowRankWeight(zeros([8, 3]), zeros([2, 6])));
        Assert.Throws<ArgumentException>(() => new LowRankWeight(zeros([8, 2]), zeros([2, 6], ScalarType.Float64)));
    }

    private static double Frobenius(Tensor matrix) => matrix.square().sum().sqrt().item<double>();
}
