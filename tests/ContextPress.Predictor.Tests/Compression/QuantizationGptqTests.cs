using ContextPress.Predictor.Compression;
using TorchSharp;
using static ContextPress.Predictor.Tests.Compression.QuantizationTestInputs;
using static TorchSharp.torch;

namespace ContextPress.Predictor.Tests.Compression;

public sealed class QuantizationGptqTests
{
    private readonly ITestOutputHelper _output;

    public QuantizationGptqTests(ITestOutputHelper output) => _output = output;

    [Theory]
    [InlineData(4, 0, false, false)]
    [InlineData(3, 32, false, false)]
    [InlineData(2, 16, true, false)]
    [InlineData(4, 32, false, true)]
    [InlineData(8, 0, false, true)]
    public void IdentityHessianGivesRoundToNearestCodes(int bits, int groupSize, bool symmetric, bool actOrder)
    {
        using var scope = NewDisposeScope();
        var w = Weight(40, 128, seed: 11 + bits);
        var spec = new QuantizationSpec(bits, groupSize, symmetric);
        using var rtn = RoundToNearest.Quantize(w, spec);
        using var gptq = Gptq.Quantize(w, eye(128), spec, new GptqOptions { ActOrder = actOrder, BlockSize = 48 });
        Assert.Equal(Bytes(rtn.Codes), Bytes(gptq.Codes));
        Assert.Equal(Floats(rtn.Scales), Floats(gptq.Scales));
        Assert.Equal(Floats(rtn.Zeros), Floats(gptq.Zeros));
    }

    [Fact]
    public void DiagonalHessianWithActOrderAndStaticGroupsGivesRoundToNearestCodes()
    {
        // A diagonal H has no correlation to exploit, whatever order act-order picks: codes and group grids must be
        // RTN's, in natural column order.
        using var scope = NewDisposeScope();
        using var g = new Generator(5);
        var w = Weight(24, 96, seed: 5);
        var diagonal = rand(96, generator: g, dtype: ScalarType.Float64) * 10 + 0.1;
        var spec = new QuantizationSpec(3, 32);
        using var rtn = RoundToNearest.Quantize(w, spec);
        using var gptq = Gptq.Quantize(w, diag(diagonal), spec, new GptqOptions { ActOrder = true });
        Assert.Equal(Bytes(rtn.Codes), Bytes(gptq.Codes));
        Assert.Equal(Floats(rtn.Scales), Floats(gptq.Scales));
    }

    [Theory]
    [InlineData(4, 0, false)]
    [InlineData(3, 0, false)]
    [InlineData(4, 32, false)]
    [InlineData(3, 32, false)]
    [InlineData(3, 32, true)]
    [InlineData(4, 0, true)]
    public void BeatsRoundToNearestOnCorrelatedInputs(int bits, int groupSize, bool actOrder)
    {
        var spec = new QuantizationSpec(bits, groupSize);
        var ratios = new List<double>();
        foreach (var seed in new[] { 1, 2, 3 })
        {
            using var scope = NewDisposeScope();
            var w = Weight(64, 192, seed: 1000 + seed);
            var x = CorrelatedInputs(768, 192, seed);
            using var rtn = RoundToNearest.Quantize(w, spec);
            using var gptq = Gptq.Quantize(w, Hessian(x), spec, new GptqOptions { ActOrder = actOrder });
            var rtnError = OutputError(w, rtn.Dequantize(), x);
            var gptqError = OutputError(w, gptq.Dequantize(), x);
            ratios.Add(gptqError / rtnError);
        }
        _output.WriteLine($"{spec} act-order={actOrder}: GPTQ/RTN output error {string.Join(", ", ratios.Select(r => r.ToString("F3")))}");
        Assert.All(ratios, r => Assert.True(r < 0.9, $"GPTQ/RTN output error ratio {r:F3}"));
    }

    [Fact]
    public void ScalingTheHessianChangesNothing()
    {
        // Sum vs mean of xᵀx: damping is relative to the mean diagonal and U's scale cancels in the update. A power of 4
        // scales every step of the Cholesky exactly, so even the codes are bit-identical.
        using var scope = NewDisposeScope();
        var w = Weight(32, 128, seed: 21);
        var x = CorrelatedInputs(512, 128, seed: 21);
        var h = Hessian(x);
        var spec = new QuantizationSpec(4, 32);
        using var sum = Gptq.Quantize(w, h, spec);
        using var scaled = Gptq.Quantize(w, h / 1024.0, spec);
        using var mean = Gptq.Quantize(w, h / 512.0 / 3.0, spec);
        Assert.Equal(Bytes(sum.Codes), Bytes(scaled.Codes));
        var sumError = OutputError(w, sum.Dequantize(), x);
        var meanError = OutputError(w, mean.Dequantize(), x);
        Assert.True(Math.Abs(sumError - meanError) < 1e-3 * sumError, $"{sumError} vs {meanError}");
    }

    [Fact]
    public void DeadInputsAreZeroedAndTheRestIsFinite()
    {
        using var scope = NewDisposeScope();
        var w = Weight(16, 64, seed: 31);
        var x = CorrelatedInputs(256, 64, seed: 31);
        x.select(1, 3).zero_();
        x.select(1, 40).zero_();
        using var q = Gptq.Quantize(w, Hessian(x), new QuantizationSpec(4, 16), new GptqOptions { ActOrder = true });
        var deq = q.Dequantize();
        Assert.All(Floats(deq.select(1, 3)).Concat(Floats(deq.select(1, 40))), v => Assert.Equal(0f, v));
        Assert.True(isfinite(deq).all().item<bool>());
        Assert.True(OutputError(w, deq, x) < OutputError(w, zeros_like(w), x) * 0.2);
    }

    [Fact]
    public void HalfPrecisionWeightsAreQuantizedInFp32()
    {
        using var scope = NewDisposeScope();
        var w = Weight(16, 64, seed: 41, ScalarType.BFloat16);
        var x = CorrelatedInputs(256, 64, seed: 41);
        using var q = Gptq.Quantize(w, Hessian(x).to_type(ScalarType.Float32), new QuantizationSpec(4, 0));
        Assert.Equal(ScalarType.BFloat16, q.Dequantize(ScalarType.BFloat16).dtype);
        using var rtn = RoundToNearest.Quantize(w, new QuantizationSpec(4, 0));
        Assert.True(OutputError(w, q.Dequantize(), x) < OutputError(w, rtn.Dequantize(), x));
    }

    [Fact]
    public void NoTensorOutlivesTheCalls()
    {
        using var w = Weight(16, 64, seed: 71);
        using var x = CorrelatedInputs(128, 64, seed: 71);
        using var h = Hessian(x);
        using var norms = h.diagonal().clone();
        var before = DisposeScopeManager.Statistics.ThreadTotalLiveCount; // per thread: other tests run in parallel
        using (Gptq.Quantize(w, h, new QuantizationSpec(3, 16), new GptqOptions { ActOrder = true, BlockSize = 32 }))
        using (Gptq.Quantize(w, h, new QuantizationSpec(4, 16)))
        using (var q = RoundToNearest.Quantize(w, new QuantizationSpec(4, 0)))
        using (var packed = q.PackCodes())
        using (QuantizedTensor.UnpackCodes(packed, q.Spec, 64))
        using (q.Dequantize())
        using (SparseGpt.Prune(w, h, SparsityPattern.Unstructured(0.5), new SparseGptOptions { BlockSize = 32 }))
        using (SparseGpt.Prune(w, h, SparsityPattern.NofM(2, 4)))
        using (Wanda.Prune(w, norms, SparsityPattern.NofM(2, 4)))
        using (MagnitudePruning.Prune(w, SparsityPattern.Unstructured(0.5)))
        {
        }
        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    [Fact]
    public void BadInputsNameTheProblem()
    {
        using var scope = NewDisposeScope();
        var w = Weight(8, 32, seed: 1);
        var spec = new QuantizationSpec(4, 0);
        Assert.Throws<ArgumentException>("hessian", () => Gptq.Quantize(w, eye(31), spec));
        Assert.Throws<ArgumentException>("hessian", () => Gptq.Quantize(w, -eye(32), spec));
        Assert.Throws<ArgumentException>("hessian", () => Gptq.Quantize(w, full(32, 32, double.NaN), spec));
        Assert.Equal("GroupSize", Assert.Throws<ArgumentException>(() => Gptq.Quantize(w, eye(32), new QuantizationSpec(4, 12))).ParamName);
        Assert.Equal("PercentDamp", Assert.Throws<ArgumentOutOfRangeException>(
            () => Gptq.Quantize(w, eye(32), spec, new GptqOptions { PercentDamp = -1 })).ParamName);
        Assert.Equal("BlockSize", Assert.Throws<ArgumentOutOfRangeException>(
            () => Gptq.Quantize(w, eye(32), spec, new GptqOptions { BlockSize = 0 })).ParamName);

        // An indefinite H with no damping cannot be factored.
        var indefinite = eye(32);
        indefinite[0, 1] = tensor(2f);
        indefinite[1, 0] = tensor(2f);
        var notDefinite = Assert.Throws<InvalidOperationException>(
            () => Gptq.Quantize(w, indefinite, spec, new GptqOptions { PercentDamp = 0 }));
        Assert.Contains("PercentDamp", notDefinite.Message, StringComparison.Ordinal);
    }
}
