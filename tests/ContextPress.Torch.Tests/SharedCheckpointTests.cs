using ContextPress.Torch.Checkpoints;
using ContextPress.Torch.HuggingFace;
using ContextPress.Torch.Safetensors;
using static TorchSharp.torch;

namespace ContextPress.Torch.Tests;

public sealed class SharedCheckpointTests
{
    private sealed record LlamaLikeConfig(string ModelType, int HiddenSize, int NumHiddenLayers, int NumAttentionHeads, int VocabSize, double RmsNormEps, string? TorchDtype);

    [Fact]
    public void ReadsTheUpstreamTinyLlamaCheckpoint()
    {
        var dir = SharedModels.Find("tiny-random-llama-2-hf");
        Assert.SkipWhen(dir is null, "shared/models/tiny-random-llama-2-hf is absent");

        var config = HfConfig.Load<LlamaLikeConfig>(dir);
        Assert.Equal(new LlamaLikeConfig("llama", 16, 2, 4, 3000, 1e-5, "bfloat16"), config);

        using var checkpoint = SafetensorsCheckpoint.Open(dir);
        Assert.Contains("model.embed_tokens.weight", checkpoint.TensorNames);
        Assert.Equal(new long[] { 3000, 16 }, checkpoint.GetShape("model.embed_tokens.weight"));
        Assert.All(checkpoint.TensorNames, n => Assert.Equal(SafetensorsDType.BF16, checkpoint.GetInfo(n).DType));
        Assert.Equal(3 + 2 * 9, checkpoint.TensorNames.Count); // embed, norm, lm_head + 9 per layer

        using var scope = NewDisposeScope();
        var norm = checkpoint.ReadTensor("model.layers.0.input_layernorm.weight");
        Assert.Equal(ScalarType.BFloat16, norm.dtype);
        Assert.True(norm.to_type(ScalarType.Float32).isfinite().all().item<bool>());
    }
}
