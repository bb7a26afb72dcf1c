using ContextPress.Predictor.Compression;
using ContextPress.Predictor.Tokenization;
using static TorchSharp.torch;

namespace ContextPress.Predictor.Tests.Compression;

public sealed class CalibrationTests
{
    /// <summary>Keeps a copy of every projection input (an independent observer of the same seam).</summary>
    private sealed class CapturingObserver : ILinearInputObserver
    {
        public Dictionary<(int, LinearInputSite), List<Tensor>> Inputs { get; } = [];

        public void Observe(int layer, LinearInputSite site, Tensor input)
        {
            if (!Inputs.TryGetValue((layer, site), out var list))
            {
                Inputs[(layer, site)] = list = [];
            }
            list.Add(input.detach().reshape(-1, input.shape[^1]).to_type(ScalarType.Float64).clone().DetachFromDisposeScope());
        }
    }

    [Theory]
    [InlineData("llama")]
    [InlineData("qwen2")]
    public void TheGramOfEachInputEqualsXtXOfTheCapturedInputs(string modelType)
    {
        using var model = CompressedLinearTestDoubles.Randomized(CompressedLinearTestDoubles.TinyConfig(modelType), seed: 2);
        model.FuseProjections();
        var windows = CompressedLinearTestDoubles.Windows(5, 9, model.Config.VocabSize);
        using var scope = NewDisposeScope();

        var capture = new CapturingObserver();
        model.LinearInputObserver = capture;
        foreach (var w in windows)
        {
            model.Forward(CausalLM.ToInput(w));
        }
        model.LinearInputObserver = null;

        using var statistics = CalibrationCollector.Collect(model, windows, new CalibrationOptions { BatchSize = 2 }, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(4 * model.Config.NumHiddenLayers, statistics.DistinctInputs);
        Assert.Equal(7 * model.Config.NumHiddenLayers, statistics.LinearNames.Count);
        Assert.Equal(4 * model.Config.NumHiddenLayers, capture.Inputs.Count);
        foreach (var ((layer, site), inputs) in capture.Inputs)
        {
            var x = cat(inputs, 0);
            var names = BlockLinearNames.For(layer, site).ToList();
            var stats = statistics.For(names[0]);
            Assert.All(names, n => Assert.Same(stats, statistics.For(n)));
            Assert.Equal(5 * 9, stats.Tokens);
            var expected = x.t().mm(x);
            var relative = ((stats.Gram - expected).abs().max() / expected.abs().max()).item<double>();
            // The collector ran the windows two at a time, the capture one at a time: fp32 activations agree to rounding.
            Assert.True(relative < 1e-5, $"{names[0]}: relative Gram error {relative}");
            var meanAbs = x.abs().mean([0]);
            Assert.True((stats.MeanAbsolute() - meanAbs).abs().max().item<double>() < 1e-5 * meanAbs.max().item<double>());
            Assert.True((stats.SquaredNorm() - x.pow(2).sum(dim: 0)).abs().max().item<double>() < 1e-5 * expected.abs().max().item<double>());
        }
        Assert.Null(model.LinearInputObserver);
    }

    [Fact]
    public void TheObserverCostsNothingWhenUnsetAndLogitsDoNotChangeWhenSet()
    {
        using var model = CompressedLinearTestDoubles.Randomized(CompressedLinearTestDoubles.TinyConfig(), seed: 4);
        using var scope = NewDisposeScope();
        int[] ids = [3, 9, 27, 1, 44];
        var plain = model.Forward(CausalLM.ToInput(ids));
        using var statistics = CalibrationCollector.Collect(model, [ids], cancellationToken: TestContext.Current.CancellationToken);
        var after = model.Forward(CausalLM.ToInput(ids));
        Assert.True(plain.equal(after).all().item<bool>());
    }

    [Fact]
    public void Float32AccumulationAgreesWithFloat64()
    {
        using var model = CompressedLinearTestDoubles.Randomized(CompressedLinearTestDoubles.TinyConfig(), seed: 6);
        var windows = CompressedLinearTestDoubles.Windows(4, 16, model.Config.VocabSize);
        using var wide = CalibrationCollector.Collect(model, windows, cancellationToken: TestContext.Current.CancellationToken);
        using var narrow = CalibrationCollector.Collect(model, windows, new CalibrationOptions { Precision = ScalarType.Float32 }, cancellationToken: TestContext.Current.CancellationToken);
        using var scope = NewDisposeScope();
        var name = "model.layers.1.mlp.down_proj";
        Assert.Equal(ScalarType.Float32, narrow.For(name).Gram.dtype);
        var diff = (wide.For(name).Gram - narrow.For(name).Gram.to_type(ScalarType.Float64)).abs().max().item<double>();
        Assert.True(diff < 1e-4 * wide.For(name).Gram.abs().max().item<double>());
    }

    [Fact]
    public void BadWindowsAreRejectedWithTheReason()
    {
        using var model = CompressedLinearTestDoubles.Randomized(CompressedLinearTestDoubles.TinyConfig());
        Assert.Contains("same length", Assert.Throws<ArgumentException>(() => CalibrationCollector.Collect(model, [[1, 2], [3]], cancellationToken: TestContext.Current.CancellationToken)).Message, StringComparison.Ordinal);
        Assert.Contains("vocabulary", Assert.Throws<ArgumentException>(() => CalibrationCollector.Collect(model, [[1, 64]], cancellationToken: TestContext.Current.CancellationToken)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => CalibrationCollector.Collect(model, Array.Empty<int[]>(), cancellationToken: TestContext.Current.CancellationToken));
    }

    [Fact]
    public void WindowsAreNonOverlappingSlicesOfTheTokenizedTextEvenlySpaced()
    {
        var dir = SharedModels.Find("stories260K");
        Assert.SkipWhen(dir is null, "shared/models/stories260K is absent");
        var tokenizer = PromptTokenizerFactory.FromLlama2c(Path.Combine(dir, "tok512.bin"), 512);
        var text = string.Join(" ", Enumerable.Range(0, 60).Select(i => $"Once upon a time, a little dog named Max {i} ran to the park and saw a big red ball."));
        var ids = tokenizer.Encode(text, addBos: false);

        var all = CalibrationSet.FromText(text, tokenizer, new CalibrationOptions { Windows = 10_000, WindowLength = 32 });
        Assert.Equal(ids.Count / 32, all.Windows.Count);
        Assert.Equal(ids.Count, all.TextTokens);
        for (var k = 0; k < all.Windows.Count; k++)
        {
            Assert.Equal(ids.Skip(k * 32).Take(32), all.Windows[k]);
        }

        var some = CalibrationSet.FromText(text, tokenizer, new CalibrationOptions { Windows = 4, WindowLength = 32 });
        Assert.Equal(4, some.Windows.Count);
        var step = all.Windows.Count / 4.0;
        for (var k = 0; k < 4; k++)
        {
            Assert.Equal(all.Windows[(int)(k * all.Windows.Count / 4L)], some.Windows[k]);
        }
        Assert.True(step >= 1);
        Assert.Equal(all.Sha256, some.Sha256);
        Assert.Equal(64, some.Sha256.Length);

        var ex = Assert.Throws<InvalidDataException>(() => CalibrationSet.FromText("Max ran.", tokenizer, new CalibrationOptions { WindowLength = 32 }, "short.txt"));
        Assert.Contains("short.txt", ex.Message, StringComparison.Ordinal);
    }
}
