using ContextPress.Predictor.Caching;
using TorchSharp;
using static TorchSharp.torch;

namespace ContextPress.Predictor.Tests;

/// <summary>Opt-in CPU timing (set CONTEXTPRESS_BENCH=1): prefill and decode tokens/s, fp32, batch 1, random weights.</summary>
public sealed class CpuSpeedTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("SmolLM2-135M shape", 576, 1536, 30, 9, 3, 49152, 128, 32)]
    [InlineData("Qwen2.5-0.5B shape", 896, 4864, 24, 14, 2, 151936, 128, 16)]
    public void PrefillAndDecodeThroughput(string name, int hidden, int intermediate, int layers, int heads, int kvHeads, int vocab, int prompt, int decode)
    {
        Assert.SkipUnless(Environment.GetEnvironmentVariable("CONTEXTPRESS_BENCH") == "1", "set CONTEXTPRESS_BENCH=1 to time");
        var config = new LlamaConfig
        {
            ModelType = "qwen2", HiddenSize = hidden, IntermediateSize = intermediate, NumHiddenLayers = layers, NumAttentionHeads = heads,
            NumKeyValueHeads = kvHeads, VocabSize = vocab, TieWordEmbeddings = true, RopeTheta = 1e6,
        };
        using var model = new CausalLM(config);
        model.FuseProjections();
        using (var warm = DenseKvCache.For(model, 8))
        using (var scope = NewDisposeScope())
        {
            model.Forward(CausalLM.ToInput([1, 2, 3]), warm, lastPositionOnly: true);
            model.Forward(CausalLM.ToInput([4]), warm, lastPositionOnly: true);
        }
        using var cache = DenseKvCache.For(model, prompt + decode + 1);
        var (prefill, decodeTime) = GreedyTiming.Run(model, cache, prompt, decode);
        output.WriteLine($"{name} ({model.ParameterCount / 1e6:F0}M params, fp32, {torch.get_num_threads()} threads): "
            + $"prefill {prompt} tokens {prompt / prefill.TotalSeconds:F0} tok/s, decode {decode / decodeTime.TotalSeconds:F1} tok/s");
        Assert.Equal(prompt + decode, cache.Length);
    }
}
