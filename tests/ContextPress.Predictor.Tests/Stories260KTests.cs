using System.Diagnostics;
using ContextPress.Predictor.Generation;
using ContextPress.Predictor.Llama2c;

namespace ContextPress.Predictor.Tests;

/// <summary>Real trained weights: karpathy's stories260K (llama2.c format) must reproduce llama2.c's greedy output byte for byte.</summary>
public sealed class Stories260KTests(ITestOutputHelper output)
{
    [Fact]
    public void GreedyDecodingReproducesTheReferenceTextByteForByte()
    {
        var dir = SharedModels.Find("stories260K");
        Assert.SkipWhen(dir is null, "shared/models/stories260K is absent");
        using var model = CausalLM.FromLlama2c(Path.Combine(dir, "stories260K.bin"));
        Assert.Equal(64, model.Config.HiddenSize);
        Assert.Equal(4, model.Config.KeyValueHeads);
        Assert.True(model.Config.TieWordEmbeddings);
        var tokenizer = Llama2cTokenizer.Load(Path.Combine(dir, "tok512.bin"), model.Config.VocabSize);
        var expected = File.ReadAllBytes(Path.Combine(dir, "expected_greedy_200.txt"));

        // BOS only, then argmax, stopping early at BOS. shared/models/README.md says 199 steps, but llama2.c's run.c
        // (`-n 200`: positions 0..199, one forward and one printed token per position) emits 200 tokens, and the
        // reference text is exactly 200 tokens long: 199 reproduce it up to its last piece (" she") and stop short.
        var watch = Stopwatch.StartNew();
        var generated = new TokenGenerator(model)
            .Generate([Llama2cTokenizer.Bos], new GenerationOptions { MaxNewTokens = 200, StopTokenIds = [Llama2cTokenizer.Bos] }, TestContext.Current.CancellationToken)
            .ToList();
        watch.Stop();
        var text = tokenizer.Decode([Llama2cTokenizer.Bos, .. generated]);
        output.WriteLine($"{generated.Count} tokens in {watch.Elapsed.TotalMilliseconds:F0} ms ({generated.Count / watch.Elapsed.TotalSeconds:F0} tok/s, CPU, fp32, batch 1)");
        Assert.Equal(System.Text.Encoding.UTF8.GetString(expected), System.Text.Encoding.UTF8.GetString(text));
        Assert.Equal(expected, text);
        Assert.Equal(200, generated.Count);

        // Mean NLL of that text under the model, over its 200 tokens after BOS (uniform would be ln 512 = 6.24).
        // shared/models/README.md quotes 0.386 nats/token, but an independent pure-Python port of llama2.c's run.c
        // (its own adjacent-pair RoPE, float64, no weight permutation) gives 0.47342 for the same 200 tokens and agrees
        // with every argmax; 0.386 is not reproducible with the standard definition, so the test checks 0.4734.
        var logProbs = model.ComputeTokenLogProbabilities([Llama2cTokenizer.Bos, .. generated]);
        var nll = -logProbs.Average();
        output.WriteLine($"mean NLL {nll:F4} nats/token over {logProbs.Length} tokens");
        Assert.InRange(nll, 0.4729, 0.4739);

        // llama2.c's BPE encoding of the reference text gives back exactly the greedy tokens.
        Assert.Equal(generated, tokenizer.Encode(System.Text.Encoding.UTF8.GetString(expected)));
    }

    [Fact]
    public void RejectsAFileWhoseSizeDoesNotMatchItsHeader()
    {
        var dir = SharedModels.Find("stories260K");
        Assert.SkipWhen(dir is null, "shared/models/stories260K is absent");
        var truncated = Path.Combine(Path.GetTempPath(), $"cp-truncated-{Guid.NewGuid():N}.bin");
        try
        {
            File.WriteAllBytes(truncated, File.ReadAllBytes(Path.Combine(dir, "stories260K.bin"))[..100_000]);
            var e = Assert.Throws<InvalidDataException>(() => CausalLM.FromLlama2c(truncated));
            Assert.Contains("implies 1056540", e.Message);
        }
        finally
        {
            File.Delete(truncated);
        }
    }
}
