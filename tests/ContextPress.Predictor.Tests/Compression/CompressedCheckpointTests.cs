using System.Text.Json;
using ContextPress.Predictor.Compression;
using ContextPress.Torch.Checkpoints;
using ContextPress.Torch.Safetensors;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static ContextPress.Predictor.Tests.Compression.CompressedLinearTestDoubles;

namespace ContextPress.Predictor.Tests.Compression;

public sealed class CompressedCheckpointTests : IDisposable
{
    private static readonly int[] Prompt = [5, 17, 33, 2, 60, 9, 41, 12, 7];
    private readonly string _dir = Directory.CreateTempSubdirectory("cp-cc-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public static TheoryData<string, string, bool> Methods => new()
    {
        { "quant4", "llama", true },
        { "quant3", "qwen2", false },
        { "svd", "qwen2", true },
        { "sparse", "llama", false },
        { "sparse+eora", "qwen2", true },
        { "quant2+eora", "llama", false },
    };

    [Theory]
    [MemberData(nameof(Methods))]
    public void ACompressedCheckpointLoadsAsItIsWithTheSameLogits(string method, string modelType, bool tied)
    {
        using var model = Randomized(TinyConfig(modelType, tied), seed: 21);
        using var scope = NewDisposeScope();
        using var statistics = CalibrationCollector.Collect(model, Windows(2, 12, 64), cancellationToken: TestContext.Current.CancellationToken);
        var (compressor, correction) = method switch
        {
            "quant4" => ((ILinearCompressor)new FakeQuant(4, 16), (ILinearCorrector?)null),
            "quant3" => (new FakeQuant(3, 10), null),
            "svd" => (new TruncatedSvd(5), null),
            "sparse" => (new HalfMagnitude(), null),
            "sparse+eora" => (new HalfMagnitude(), new SvdCorrection(3)),
            _ => (new FakeQuant(2, 8), new SvdCorrection(2)),
        };
        var result = ModelCompressor.Compress(model, statistics, compressor, new ModelCompressorOptions { Correction = correction }, cancellationToken: TestContext.Current.CancellationToken);
        var expected = model.Forward(CausalLM.ToInput(Prompt));
        var manifest = CompressionManifest.From(result, new Dictionary<string, string> { ["method"] = method });
        CompressedCheckpoint.Save(model, _dir, manifest);

        using var loaded = CausalLM.FromPretrained(_dir);
        var actual = loaded.Forward(CausalLM.ToInput(Prompt));
        Assert.True((actual - expected).abs().max().item<float>() < 1e-5f);
        Assert.Equal(model.CompressedLayers, loaded.CompressedLayers);
        foreach (var name in BlockLinearNames.All(2))
        {
            Assert.Equal(model.GetBlockLinear(name).GetType(), loaded.GetBlockLinear(name).GetType());
        }

        // The file stores the compressed form, not dense weights.
        using var checkpoint = SafetensorsCheckpoint.Open(_dir);
        Assert.Equal(CompressedCheckpoint.Format, checkpoint.Metadata["format"]);
        var q = "model.layers.0.self_attn.q_proj";
        switch (method)
        {
            case "quant4" or "quant3":
                Assert.Equal(SafetensorsDType.U8, checkpoint.GetInfo(q + ".qweight").DType);
                Assert.DoesNotContain(q + ".weight", checkpoint.TensorNames);
                break;
            case "svd":
                Assert.Equal([5L, 32L], checkpoint.GetShape(q + ".low_rank_down"));
                break;
            case "sparse":
                Assert.Contains(q + ".weight", checkpoint.TensorNames);
                break;
            default:
                Assert.Contains(q + ".eora_up", checkpoint.TensorNames);
                break;
        }
        Assert.Equal(result.StoredModelBytes, checkpoint.TensorNames.Sum(n => checkpoint.GetInfo(n).ByteLength));

        var read = CompressedCheckpoint.ReadManifest(_dir)!;
        Assert.Equal(compressor.Method, read.Method);
        Assert.Equal(14, read.Layers.Count);
        Assert.Equal(result.StoredLinearBytes, read.StoredLinearBytes);
        Assert.Equal(result.Layers[3].Layout, read.Layers[3].Layout);
    }

    [Fact]
    public void AQuantizedCheckpointIsSmallerOnDiskAndFusesOnlyDenseGroups()
    {
        using var model = Randomized(TinyConfig(), seed: 22);
        var densePath = Path.Combine(_dir, "dense");
        CompressedCheckpoint.Save(model, densePath, new CompressionManifest { Method = "none" });
        using var scope = NewDisposeScope();
        using var statistics = CalibrationCollector.Collect(model, Windows(2, 12, 64), cancellationToken: TestContext.Current.CancellationToken);
        // Only the MLP: attention stays dense and fuses after loading.
        var result = ModelCompressor.Compress(model, statistics, new FakeQuant(4, 16), new ModelCompressorOptions { Include = n => n.Contains(".mlp.", StringComparison.Ordinal) }, cancellationToken: TestContext.Current.CancellationToken);
        var quantPath = Path.Combine(_dir, "q4");
        CompressedCheckpoint.Save(model, quantPath, CompressionManifest.From(result));
        Assert.True(new FileInfo(Path.Combine(quantPath, "model.safetensors")).Length < new FileInfo(Path.Combine(densePath, "model.safetensors")).Length);

        using var loaded = CausalLM.FromPretrained(quantPath);
        Assert.Equal(6, loaded.CompressedLayers.Count);
        Assert.IsType<Linear>(loaded.GetBlockLinear("model.layers.1.self_attn.v_proj"));
        Assert.True((loaded.Forward(CausalLM.ToInput(Prompt)) - model.Forward(CausalLM.ToInput(Prompt))).abs().max().item<float>() < 1e-5f);
    }

    [Fact]
    public void ADenseCheckpointLoadsUnchanged()
    {
        var dir = SharedModels.Find("tiny-random-llama-2-hf");
        Assert.SkipWhen(dir is null, "shared/models/tiny-random-llama-2-hf is absent");
        using var model = CausalLM.FromPretrained(dir);
        Assert.Empty(model.CompressedLayers);
        Assert.All(BlockLinearNames.All(model.Config.NumHiddenLayers), n => Assert.IsType<Linear>(model.GetBlockLinear(n)));

        // Saved through the compressed writer with nothing compressed, it still loads to the same logits.
        var copy = Path.Combine(_dir, "copy");
        CompressedCheckpoint.Save(model, copy, new CompressionManifest { Method = "none" }, dir);
        using var again = CausalLM.FromPretrained(copy);
        using var scope = NewDisposeScope();
        Assert.True(model.Forward(CausalLM.ToInput(Prompt)).equal(again.Forward(CausalLM.ToInput(Prompt))).all().item<bool>());
        Assert.Equal(File.ReadAllText(Path.Combine(dir, "config.json")), File.ReadAllText(Path.Combine(copy, "config.json")));
    }

    [Fact]
    public void MalformedOrMismatchedLayersAreReportedByName()
    {
        using var model = Randomized(TinyConfig(), seed: 23);
        CompressedCheckpoint.Save(model, _dir, new CompressionManifest { Method = "none" });
        using var scope = NewDisposeScope();
        var path = Path.Combine(_dir, "model.safetensors");
        var tensors = model.state_dict().Where(p => p.Key != "model.layers.0.mlp.up_proj.weight").ToList();
        var wrong = new CompressedLinearLayout { Kind = "low_rank", InFeatures = 48, OutFeatures = 32, Rank = 2 };
        var layers = JsonSerializer.Serialize(new Dictionary<string, CompressedLinearLayout> { ["model.layers.0.mlp.up_proj"] = wrong }, CompressedCheckpoint.SerializerOptions);
        SafetensorsWriter.Write(path, tensors, new Dictionary<string, string> { ["format"] = CompressedCheckpoint.Format, ["layers"] = layers });
        var ex = Assert.Throws<InvalidDataException>(() => CausalLM.FromPretrained(_dir));
        Assert.Contains("model.layers.0.mlp.up_proj", ex.Message, StringComparison.Ordinal);

        SafetensorsWriter.Write(path, tensors, new Dictionary<string, string> { ["format"] = CompressedCheckpoint.Format, ["layers"] = "{not json" });
        Assert.Contains("malformed", Assert.Throws<InvalidDataException>(() => CausalLM.FromPretrained(_dir)).Message, StringComparison.Ordinal);
    }
}
