using System.Text.Json;
using ContextPress.Predictor.Generation;
using static TorchSharp.torch;

namespace ContextPress.Predictor.Tests;

/// <summary>Parity with transformers on the exact upstream bf16 checkpoint of stas/tiny-random-llama-2 (shared/models).</summary>
public sealed class TinyLlamaParityTests(ITestOutputHelper output)
{
    private sealed record Corpus(double AbsoluteTolerance, double RelativeTolerance, IReadOnlyList<ModelCase> Cases);

    private sealed record ModelCase(int[] InputIds, int GreedyToken, int[] GreedyContinuation, IReadOnlyDictionary<int, double> SampledLogits);

    private static Corpus ReadCorpus(string dir)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "corpus.json")));
        var root = doc.RootElement;
        var tolerance = root.GetProperty("logit_tolerance");
        var cases = root.GetProperty("model_cases").EnumerateArray().Select(c => new ModelCase(
            c.GetProperty("input_ids").EnumerateArray().Select(e => e.GetInt32()).ToArray(),
            c.GetProperty("greedy_token").GetInt32(),
            c.GetProperty("greedy_continuation").EnumerateArray().Select(e => e.GetInt32()).ToArray(),
            c.GetProperty("sampled_logits").EnumerateObject().ToDictionary(p => int.Parse(p.Name, System.Globalization.CultureInfo.InvariantCulture), p => p.Value.GetDouble()))).ToList();
        return new Corpus(tolerance.GetProperty("absolute").GetDouble(), tolerance.GetProperty("relative").GetDouble(), cases);
    }

    [Fact]
    public void LogitsAndGreedyContinuationsMatchTransformers()
    {
        var dir = SharedModels.Find("tiny-random-llama-2-hf");
        Assert.SkipWhen(dir is null, "shared/models/tiny-random-llama-2-hf is absent");
        var corpus = ReadCorpus(dir);
        Assert.Equal(3, corpus.Cases.Count);

        using var model = CausalLM.FromPretrained(dir);
        Assert.Equal(ScalarType.Float32, model.DType);
        var generator = new TokenGenerator(model);
        double maxAbs = 0;
        foreach (var c in corpus.Cases)
        {
            var last = model.ComputeLogits(c.InputIds)[^1];
            Assert.Equal(3000, last.Length);
            foreach (var (id, expected) in c.SampledLogits)
            {
                var diff = Math.Abs(last[id] - expected);
                maxAbs = Math.Max(maxAbs, diff);
                Assert.True(diff <= corpus.AbsoluteTolerance + corpus.RelativeTolerance * Math.Abs(expected),
                    $"input [{string.Join(",", c.InputIds)}] logit {id}: ours {last[id]:R}, transformers {expected:R}");
            }
            Assert.Equal(c.GreedyToken, Array.IndexOf(last, last.Max()));
            var continuation = generator.Generate(c.InputIds, new GenerationOptions { MaxNewTokens = c.GreedyContinuation.Length }, TestContext.Current.CancellationToken).ToArray();
            Assert.Equal(c.GreedyContinuation, continuation);
        }
        var batched = generator.GenerateBatch(corpus.Cases.Select(c => (IReadOnlyList<int>)c.InputIds).ToList(),
            new GenerationOptions { MaxNewTokens = 4 }, TestContext.Current.CancellationToken);
        Assert.Equal(corpus.Cases.Select(c => c.GreedyContinuation), batched.Select(r => r.ToArray()));
        output.WriteLine($"max |logit diff| vs transformers: {maxAbs:E3} over {corpus.Cases.Sum(c => c.SampledLogits.Count)} logits");
    }

    [Fact]
    public void HalfPrecisionPathsStayCloseToFp32()
    {
        var dir = SharedModels.Find("tiny-random-llama-2-hf");
        Assert.SkipWhen(dir is null, "shared/models/tiny-random-llama-2-hf is absent");
        using var fp32 = CausalLM.FromPretrained(dir);
        int[] ids = [1, 42, 99, 333, 897, 2049];
        var reference = fp32.ComputeLogits(ids);
        foreach (var dtype in new[] { ScalarType.BFloat16, ScalarType.Float16 })
        {
            using var model = CausalLM.FromPretrained(dir, dtype);
            Assert.Equal(dtype, model.DType);
            var logits = model.ComputeLogits(ids);
            var maxDiff = logits.Zip(reference).SelectMany(p => p.First.Zip(p.Second, (a, b) => Math.Abs(a - b))).Max();
            output.WriteLine($"{dtype}: max |logit diff| vs fp32 {maxDiff:E2}");
            Assert.True(maxDiff < (dtype == ScalarType.BFloat16 ? 1e-2 : 2e-3), $"{dtype}: {maxDiff}");
            Assert.True(maxDiff > 0, "the half-precision model must really compute in half precision");
        }
    }
}
