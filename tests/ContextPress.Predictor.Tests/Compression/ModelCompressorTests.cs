using ContextPress.Predictor.Compression;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static ContextPress.Predictor.Tests.Compression.CompressedLinearTestDoubles;

namespace ContextPress.Predictor.Tests.Compression;

public sealed class ModelCompressorTests
{
    private static readonly int[] Prompt = [5, 17, 33, 2, 60, 9, 41, 12, 7];

    private static float MaxDiff(Tensor a, Tensor b) => (a - b).abs().max().item<float>();

    [Theory]
    [InlineData("llama")]
    [InlineData("qwen2")]
    public void ReplacingEveryProjectionByAnExactModuleKeepsTheLogits(string modelType)
    {
        using var model = Randomized(TinyConfig(modelType), seed: 8);
        model.FuseProjections();
        using var scope = NewDisposeScope();
        var before = model.Forward(CausalLM.ToInput(Prompt));
        using var statistics = CalibrationCollector.Collect(model, Windows(3, 12, 64), cancellationToken: TestContext.Current.CancellationToken);
        var identity = new IdentityLowRank();

        var result = ModelCompressor.Compress(model, statistics, identity, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(14, identity.Prepared);
        Assert.Equal(14, result.Layers.Count);
        Assert.All(BlockLinearNames.All(2), n => Assert.IsType<LowRankLinear>(model.GetBlockLinear(n)));
        Assert.Equal(14, model.CompressedLayers.Count);
        var after = model.Forward(CausalLM.ToInput(Prompt));
        Assert.True(MaxDiff(before, after) < 1e-4f, $"max |diff| {MaxDiff(before, after)}");
        Assert.All(result.Layers, l => Assert.True(l.RelativeOutputError < 1e-6, $"{l.Name}: {l.RelativeOutputError}"));
        // A full-rank factor pair stores more than the weight: in·in + out·in floats instead of out·in.
        Assert.True(result.StoredLinearBytes > result.DenseLinearBytes);
    }

    [Fact]
    public void AQuantizedModelComputesWhatADenseModelWithTheDequantizedWeightsComputes()
    {
        using var model = Randomized(TinyConfig("qwen2"), seed: 9);
        using var reference = Randomized(TinyConfig("qwen2"), seed: 9);
        using var scope = NewDisposeScope();
        using var statistics = CalibrationCollector.Collect(model, Windows(3, 12, 64), cancellationToken: TestContext.Current.CancellationToken);
        var result = ModelCompressor.Compress(model, statistics, new FakeQuant(bits: 4, groupSize: 16), cancellationToken: TestContext.Current.CancellationToken);

        using (no_grad())
        {
            foreach (var name in BlockLinearNames.All(2))
            {
                var linear = (Linear)reference.GetBlockLinear(name);
                linear.weight!.copy_(((QuantizedLinear)model.GetBlockLinear(name)).ToDense());
            }
        }
        var quantized = model.Forward(CausalLM.ToInput(Prompt));
        var dense = reference.Forward(CausalLM.ToInput(Prompt));
        Assert.True(MaxDiff(quantized, dense) < 1e-4f);

        // 4-bit codes plus fp32 scale and zero per 16 weights: 4 + 64/16 = 8 bits per weight vs 32.
        Assert.InRange(result.StoredLinearBytes / (double)result.DenseLinearBytes, 0.24, 0.28);
        Assert.True(result.StoredModelBytes < result.DenseModelBytes);
        Assert.All(result.Layers, l => Assert.InRange(l.RelativeOutputError, 1e-4, 0.3));
    }

    [Fact]
    public void TheReportedErrorIsTheRelativeOutputErrorOnTheCalibrationInputs()
    {
        using var model = Randomized(TinyConfig(), seed: 10);
        using var scope = NewDisposeScope();
        var windows = Windows(2, 10, 64);
        // The MLP input of layer 1, captured independently of the collector.
        var original = ((Linear)model.GetBlockLinear("model.layers.1.mlp.up_proj")).weight!.detach().clone();
        using var statistics = CalibrationCollector.Collect(model, windows, cancellationToken: TestContext.Current.CancellationToken);
        var x = Capture(model, windows, 1, LinearInputSite.MlpInput);

        var result = ModelCompressor.Compress(model, statistics, new TruncatedSvd(rank: 4), new ModelCompressorOptions { Include = n => n.EndsWith("up_proj", StringComparison.Ordinal) }, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(["model.layers.0.mlp.up_proj", "model.layers.1.mlp.up_proj"], result.Layers.Select(l => l.Name));
        var compressed = ((LowRankLinear)model.GetBlockLinear("model.layers.1.mlp.up_proj")).ToDense();
        var direct = ((original - compressed).mm(x.t()).norm() / original.mm(x.t()).norm()).item<float>();
        Assert.Equal(direct, result.Layers[1].RelativeOutputError, 4);
        Assert.Equal(direct, ModelCompressor.RelativeOutputError(original, compressed, x.t().mm(x)), 4);
        Assert.IsType<Linear>(model.GetBlockLinear("model.layers.1.mlp.gate_proj"));
    }

    [Fact]
    public void AFullRankCorrectionCancelsTheCompressionError()
    {
        using var model = Randomized(TinyConfig(), seed: 12);
        using var dense = Randomized(TinyConfig(), seed: 12);
        using var scope = NewDisposeScope();
        using var statistics = CalibrationCollector.Collect(model, Windows(2, 10, 64), cancellationToken: TestContext.Current.CancellationToken);
        var result = ModelCompressor.Compress(model, statistics, new FakeQuant(bits: 2, groupSize: 8), new ModelCompressorOptions { Correction = new SvdCorrection(rank: 64) }, cancellationToken: TestContext.Current.CancellationToken);
        Assert.All(result.Layers, l => Assert.True(l.RelativeOutputError < 1e-5, $"{l.Name}: {l.RelativeOutputError}"));
        Assert.True(MaxDiff(model.Forward(CausalLM.ToInput(Prompt)), dense.Forward(CausalLM.ToInput(Prompt))) < 1e-3f);
    }

    [Fact]
    public void PrunedProjectionsWithoutACorrectionStayFusableLinears()
    {
        using var model = Randomized(TinyConfig(), seed: 13);
        using var scope = NewDisposeScope();
        using var statistics = CalibrationCollector.Collect(model, Windows(2, 10, 64), cancellationToken: TestContext.Current.CancellationToken);
        var result = ModelCompressor.Compress(model, statistics, new HalfMagnitude(), cancellationToken: TestContext.Current.CancellationToken);
        Assert.All(BlockLinearNames.All(2), n => Assert.IsType<Linear>(model.GetBlockLinear(n)));
        Assert.Empty(model.CompressedLayers);
        Assert.All(result.Layers, l => Assert.Equal(0.5, l.Layout.Sparsity!.Value, 2));
        var weight = ((Linear)model.GetBlockLinear("model.layers.0.self_attn.k_proj")).weight!;
        Assert.Equal(0.5, SparseLinear.ZeroFraction(weight), 2);
        Assert.Throws<InvalidOperationException>(() => ModelCompressor.Compress(Randomized(TinyConfig()), statistics, new BrokenShape(), cancellationToken: TestContext.Current.CancellationToken));
    }

    [Fact]
    public void CompressingACompressedProjectionAgainIsRefused()
    {
        using var model = Randomized(TinyConfig(), seed: 14);
        using var statistics = CalibrationCollector.Collect(model, Windows(1, 8, 64), cancellationToken: TestContext.Current.CancellationToken);
        ModelCompressor.Compress(model, statistics, new TruncatedSvd(2), cancellationToken: TestContext.Current.CancellationToken);
        var ex = Assert.Throws<InvalidOperationException>(() => ModelCompressor.Compress(model, statistics, new TruncatedSvd(2), cancellationToken: TestContext.Current.CancellationToken));
        Assert.Contains("already compressed", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AProjectionTheMethodKeepsDenseStaysALinearAndIsNotReported()
    {
        using var model = Randomized(TinyConfig(), seed: 15);
        using var statistics = CalibrationCollector.Collect(model, Windows(1, 8, 64), cancellationToken: TestContext.Current.CancellationToken);
        var result = ModelCompressor.Compress(model, statistics, new AttentionOnly(), cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(8, result.Layers.Count);
        Assert.Equal(6, result.KeptDense.Count);
        Assert.Equal(result.Layers.Sum(l => l.RelativeOutputError) / 14, result.MeanRelativeOutputError, 12);
        Assert.All(result.Layers, l => Assert.Contains(".self_attn.", l.Name, StringComparison.Ordinal));
        Assert.IsType<Linear>(model.GetBlockLinear("model.layers.0.mlp.up_proj"));
        Assert.IsType<LowRankLinear>(model.GetBlockLinear("model.layers.0.self_attn.o_proj"));
    }

    private static Tensor Capture(CausalLM model, int[][] windows, int layer, LinearInputSite site)
    {
        var observer = new SiteCapture(layer, site);
        model.LinearInputObserver = observer;
        model.Forward(tensor(windows.SelectMany(w => w.Select(i => (long)i)).ToArray(), [windows.Length, windows[0].Length]));
        model.LinearInputObserver = null;
        return observer.Input!;
    }

    private sealed class SiteCapture(int layer, LinearInputSite site) : ILinearInputObserver
    {
        public Tensor? Input { get; private set; }

        public void Observe(int l, LinearInputSite s, Tensor input)
        {
            if (l == layer && s == site)
            {
                Input = input.reshape(-1, input.shape[^1]).clone().DetachFromDisposeScope();
            }
        }
    }

    private sealed class AttentionOnly : ILinearCompressor
    {
        public string Method => "attention-only";

        public CompressedLinear? Compress(LinearCompressionInput input) =>
            input.Name.Contains(".mlp.", StringComparison.Ordinal) ? null : new IdentityLowRank().Compress(input);
    }

    private sealed class BrokenShape : ILinearCompressor
    {
        public string Method => "broken";

        public CompressedLinear Compress(LinearCompressionInput input) => new LowRankLinear(ones(1, 3), ones(2, 1));
    }
}
