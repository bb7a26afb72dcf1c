using ContextPress.Predictor.Caching;
using static TorchSharp.torch;

namespace ContextPress.Predictor.Tests.Caching;

/// <summary>Opt-in CPU timing (set CONTEXTPRESS_BENCH=1): decode tokens/s and cache bytes per KV cache after a long prefill.</summary>
public sealed class KvCacheSpeedTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("dense")]
    [InlineData("kivi4")]
    [InlineData("kivi2")]
    [InlineData("gear")]
    [InlineData("streaming")]
    [InlineData("snapkv")]
    public void DecodeThroughputAndStorageAfterALongPrompt(string name)
    {
        Assert.SkipUnless(Environment.GetEnvironmentVariable("CONTEXTPRESS_BENCH") == "1", "set CONTEXTPRESS_BENCH=1 to time");
        const int prompt = 1024, decode = 32;
        var config = new LlamaConfig
        {
            ModelType = "qwen2", HiddenSize = 512, IntermediateSize = 1024, NumHiddenLayers = 4, NumAttentionHeads = 8,
            NumKeyValueHeads = 2, VocabSize = 1024, TieWordEmbeddings = true, RopeTheta = 1e6,
        };
        using var model = new CausalLM(config);
        model.FuseProjections();
        using var cache = KvCacheFactory.Create(model, KvCacheOptions.Parse(name), prompt + decode);
        var (prefill, decodeTime) = GreedyTiming.Run(model, cache, prompt, decode);
        output.WriteLine($"{name}: prefill {prompt} tokens {prompt / prefill.TotalSeconds:F0} tok/s, decode {decode / decodeTime.TotalSeconds:F1} tok/s, "
            + $"{cache.StoredLength} entries, {cache.StorageBytes / 1024.0:F0} KiB ({get_num_threads()} threads, fp32)");
        Assert.Equal(prompt + decode, cache.Length);
    }
}
