using ContextPress.Predictor.Compression;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static ContextPress.Predictor.Tests.Compression.CompressedLinearTestDoubles;

namespace ContextPress.Predictor.Tests.Compression;

/// <summary>The low-rank and EoRA adapters driven through <see cref="ModelCompressor"/> on a tiny seeded model.</summary>
public sealed class ModelCompressorLowRankTests : IDisposable
{
    private static readonly int[] Prompt = [5, 17, 33, 2, 60, 9, 41, 12, 7];
    private readonly string _dir = Directory.CreateTempSubdirectory("cp-cl-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static ModelCompressionResult Run(CausalLM model, ILinearCompressor compressor, ILinearCorrector? correction = null)
    {
        using var statistics = CalibrationCollector.Collect(model, Windows(8, 16, 64), cancellationToken: TestContext.Current.CancellationToken);
        return ModelCompressor.Compress(model, statistics, compressor, new ModelCompressorOptions { Correction = correction }, TestContext.Current.CancellationToken);
    }

    [Theory]
    [InlineData("svd")]
    [InlineData("asvd")]
    [InlineData("svd-llm")]
    [InlineData("gptq+eora")]
    [InlineData("sparsegpt+eora")]
    public void EveryMethodWritesACheckpointThatLoadsToTheSameLogits(string method)
    {
        using var model = Randomized(TinyConfig("qwen2"), seed: 31);
        var (compressor, correction) = method switch
        {
            "gptq+eora" => ((ILinearCompressor)QuantizationCompressor.Gptq(3, 16), (ILinearCorrector?)new EoraCorrector(4)),
            "sparsegpt+eora" => (PruningCompressor.SparseGpt(SparsityPattern.NofM(2, 4)), new EoraCorrector(4)),
            _ => (new LowRankCompressor(method, 0.4), null),
        };
        var result = Run(model, compressor, correction);
        Assert.NotEmpty(result.Layers);
        using var scope = NewDisposeScope();
        var expected = model.Forward(CausalLM.ToInput(Prompt));
        CompressedCheckpoint.Save(model, _dir, CompressionManifest.From(result));
        using var loaded = CausalLM.FromPretrained(_dir);
        Assert.True((loaded.Forward(CausalLM.ToInput(Prompt)) - expected).abs().max().item<float>() < 1e-4f);
        Assert.Equal(model.CompressedLayers, loaded.CompressedLayers);
    }

    [Fact]
    public void EoraImprovesGptqAtThreeBits()
    {
        using var gptqModel = Randomized(TinyConfig(), seed: 32);
        using var eoraModel = Randomized(TinyConfig(), seed: 32);
        var gptq = Run(gptqModel, QuantizationCompressor.Gptq(3, 16));
        var eora = Run(eoraModel, QuantizationCompressor.Gptq(3, 16), new EoraCorrector(4));
        Assert.True(eora.MeanRelativeOutputError < gptq.MeanRelativeOutputError, $"eora {eora.MeanRelativeOutputError} vs gptq {gptq.MeanRelativeOutputError}");
        Assert.All(eora.Layers, l => Assert.Equal(4, l.Layout.CorrectionRank));
    }

    [Fact]
    public void LowRankMeetsItsParameterBudgetAndSvdLlmBeatsPlainSvd()
    {
        using var svdModel = Randomized(TinyConfig(), seed: 34);
        using var svdLlmModel = Randomized(TinyConfig(), seed: 34);
        var svd = new LowRankCompressor("svd", 0.4);
        var svdResult = Run(svdModel, svd);
        var svdLlm = Run(svdLlmModel, new LowRankCompressor("svd-llm", 0.4));
        // hidden 32, 2 KV heads of 8 (k/v: 16 x 32), MLP 48.
        static long Dense(string n) => n.Contains(".mlp.", StringComparison.Ordinal) ? 32L * 48 : n.EndsWith("k_proj", StringComparison.Ordinal) || n.EndsWith("v_proj", StringComparison.Ordinal) ? 16L * 32 : 32L * 32;
        var denseParameters = BlockLinearNames.All(2).Sum(Dense);
        foreach (var result in new[] { svdResult, svdLlm })
        {
            var stored = result.Layers.Sum(l => l.Layout.Rank!.Value * (l.Layout.InFeatures + l.Layout.OutFeatures))
                + BlockLinearNames.All(2).Except(result.Layers.Select(l => l.Name)).Sum(Dense);
            Assert.True(stored <= 0.6 * denseParameters + 1, $"{result.Method}: {stored} parameters of {denseParameters}");
        }
        Assert.Equal(14, svd.Ranks.Count);
        Assert.True(svdLlm.MeanRelativeOutputError < svdResult.MeanRelativeOutputError, $"svd-llm {svdLlm.MeanRelativeOutputError} vs svd {svdResult.MeanRelativeOutputError}");
    }
}
