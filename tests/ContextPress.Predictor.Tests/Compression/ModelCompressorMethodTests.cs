using ContextPress.Predictor.Compression;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static ContextPress.Predictor.Tests.Compression.CompressedLinearTestDoubles;

namespace ContextPress.Predictor.Tests.Compression;

/// <summary>The method adapters driven through <see cref="ModelCompressor"/> on a tiny seeded model.</summary>
public sealed class ModelCompressorMethodTests : IDisposable
{
    private static readonly int[] Prompt = [5, 17, 33, 2, 60, 9, 41, 12, 7];
    private readonly string _dir = Directory.CreateTempSubdirectory("cp-cm-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static ModelCompressionResult Run(CausalLM model, ILinearCompressor compressor, ILinearCorrector? correction = null)
    {
        using var statistics = CalibrationCollector.Collect(model, Windows(8, 16, 64), cancellationToken: TestContext.Current.CancellationToken);
        return ModelCompressor.Compress(model, statistics, compressor, new ModelCompressorOptions { Correction = correction }, TestContext.Current.CancellationToken);
    }

    public static TheoryData<string> Methods => new() { "rtn", "gptq", "magnitude", "wanda", "sparsegpt" };

    [Theory]
    [MemberData(nameof(Methods))]
    public void EveryMethodWritesACheckpointThatLoadsToTheSameLogits(string method)
    {
        using var model = Randomized(TinyConfig("qwen2"), seed: 31);
        ILinearCompressor compressor = method switch
        {
            "rtn" => QuantizationCompressor.RoundToNearest(4, 16),
            "gptq" => QuantizationCompressor.Gptq(3, 16),
            "magnitude" => PruningCompressor.Magnitude(SparsityPattern.Unstructured(0.5)),
            "wanda" => PruningCompressor.Wanda(SparsityPattern.NofM(2, 4)),
            _ => PruningCompressor.SparseGpt(SparsityPattern.NofM(2, 4)),
        };
        var result = Run(model, compressor);
        Assert.NotEmpty(result.Layers);
        using var scope = NewDisposeScope();
        var expected = model.Forward(CausalLM.ToInput(Prompt));
        CompressedCheckpoint.Save(model, _dir, CompressionManifest.From(result));
        using var loaded = CausalLM.FromPretrained(_dir);
        Assert.True((loaded.Forward(CausalLM.ToInput(Prompt)) - expected).abs().max().item<float>() < 1e-4f);
        Assert.Equal(model.CompressedLayers, loaded.CompressedLayers);
        Assert.All(result.Layers, l => Assert.InRange(l.RelativeOutputError, 1e-6, 1.0));
    }

    [Fact]
    public void GptqBeatsRoundToNearestAtThreeBits()
    {
        using var rtnModel = Randomized(TinyConfig(), seed: 32);
        using var gptqModel = Randomized(TinyConfig(), seed: 32);
        var rtn = Run(rtnModel, QuantizationCompressor.RoundToNearest(3, 16));
        var gptq = Run(gptqModel, QuantizationCompressor.Gptq(3, 16));
        Assert.True(gptq.MeanRelativeOutputError < rtn.MeanRelativeOutputError, $"gptq {gptq.MeanRelativeOutputError} vs rtn {rtn.MeanRelativeOutputError}");
        Assert.All(gptq.Layers, l => Assert.Equal(3, l.Layout.Bits));
    }

    [Fact]
    public void SparseGptBeatsMagnitudeAtTwoFourAndMasksAreExact()
    {
        using var magnitudeModel = Randomized(TinyConfig(), seed: 33);
        using var sparseGptModel = Randomized(TinyConfig(), seed: 33);
        var magnitude = Run(magnitudeModel, PruningCompressor.Magnitude(SparsityPattern.NofM(2, 4)));
        var sparseGpt = Run(sparseGptModel, PruningCompressor.SparseGpt(SparsityPattern.NofM(2, 4)));
        Assert.True(sparseGpt.MeanRelativeOutputError < magnitude.MeanRelativeOutputError);
        using var scope = NewDisposeScope();
        var weight = ((Linear)sparseGptModel.GetBlockLinear("model.layers.1.mlp.down_proj")).weight!;
        var zerosPerGroup = weight.eq(0).reshape(weight.shape[0], -1, 4).sum(dim: 2);
        Assert.True(zerosPerGroup.eq(2).all().item<bool>());
        Assert.All(sparseGpt.Layers, l => Assert.Equal("2:4", l.Layout.Pattern));
    }

    [Theory]
    [InlineData(128, 172, 86)]
    [InlineData(128, 896, 128)]
    [InlineData(128, 64, 0)]
    [InlineData(0, 64, 0)]
    [InlineData(32, 172, 4)]
    public void GroupsTileEachRow(int asked, long columns, int expected) =>
        Assert.Equal(expected, QuantizationCompressor.GroupWidth(asked, columns));
}
