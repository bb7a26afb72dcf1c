using TorchSharp;
using static TorchSharp.torch;

namespace ContextPress.Predictor.Tests.Caching;

/// <summary>Small Llama-shaped models with seeded random weights, for cache tests that need a real forward pass.</summary>
internal static class TinyModels
{
    public static CausalLM Random(int seed = 1, int kvHeads = 2, int headDim = 16, int layers = 2)
    {
        var config = new LlamaConfig
        {
            ModelType = "llama",
            HiddenSize = 4 * headDim,
            IntermediateSize = 96,
            NumHiddenLayers = layers,
            NumAttentionHeads = 4,
            NumKeyValueHeads = kvHeads,
            VocabSize = 64,
            RmsNormEps = 1e-6,
            RopeTheta = 10000,
            TieWordEmbeddings = true,
        };
        return Randomized(config, seed);
    }

    /// <summary>A model for <paramref name="config"/> with seeded N(0, 0.2²) weights.</summary>
    public static CausalLM Randomized(LlamaConfig config, int seed = 1)
    {
        var model = new CausalLM(config);
        var g = new Generator((ulong)seed);
        using var _ = no_grad();
        foreach (var (_, p) in model.named_parameters())
        {
            p.copy_(randn(p.shape, generator: g) * 0.2);
        }
        return model;
    }

    /// <summary>Max |a − b| over two tensors.</summary>
    public static float MaxAbsDiff(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        return (a.to_type(ScalarType.Float32) - b.to_type(ScalarType.Float32)).abs().max().item<float>();
    }
}
