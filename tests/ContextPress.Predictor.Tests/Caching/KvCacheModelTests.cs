using ContextPress.Predictor.Caching;
using ContextPress.Predictor.Chat;
using ContextPress.Predictor.DependencyInjection;
using ContextPress.Predictor.Tokenization;
using Microsoft.Extensions.AI;
using ContextPress.Predictor.Generation;
using ContextPress.Predictor.Llama2c;
using TorchSharp;
using static TorchSharp.torch;

namespace ContextPress.Predictor.Tests.Caching;

/// <summary>Every cache behind a real forward pass: tiny random models always, stories260K (trained weights) when shared/ is there.</summary>
public sealed class KvCacheModelTests(ITestOutputHelper output)
{
    public static TheoryData<string> CacheNames => ["dense", "kivi4", "kivi2", "streaming", "snapkv", "gear", "gear2"];

    [Theory]
    [MemberData(nameof(CacheNames))]
    public void ATinyModelGeneratesWithEveryCache(string name)
    {
        using var model = TinyModels.Random(seed: 3);
        var options = KvCacheOptions.Parse(name) with
        {
            SnapKvWindow = 4,
            Kivi = KvCacheOptions.Parse(name).Kivi with { GroupSize = 8, ResidualLength = 8 },
            Gear = KvCacheOptions.Parse(name).Gear with { GroupSize = 8, BufferLength = 8 },
        };
        var prompt = Enumerable.Range(0, 24).Select(i => (i * 7 + 3) % 64).ToArray();
        // Warm up first: the rotary tables are built once per model, on first use.
        _ = new TokenGenerator(model, options).Generate(prompt, new GenerationOptions { MaxNewTokens = 2 }, TestContext.Current.CancellationToken).ToList();
        var before = DisposeScopeManager.Statistics.ThreadTotalLiveCount; // per thread: other tests run in parallel
        var generated = new TokenGenerator(model, options)
            .Generate(prompt, new GenerationOptions { MaxNewTokens = 24 }, TestContext.Current.CancellationToken)
            .ToList();
        Assert.Equal(24, generated.Count);
        Assert.All(generated, id => Assert.InRange(id, 0, 63));
        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    [Fact]
    public void FactoryBuildsTheNamedCache()
    {
        using var model = TinyModels.Random();
        Assert.IsType<DenseKvCache>(Create("dense"));
        Assert.Equal(2, Assert.IsType<KiviKvCache>(Create("kivi2")).Options.Bits);
        Assert.Equal(4, Assert.IsType<KiviKvCache>(Create("kivi4")).Options.Bits);
        Assert.IsType<SnapKvCache>(Create("snapkv"));
        Assert.IsType<GearKvCache>(Create("gear"));
        var streaming = Assert.IsType<StreamingKvCache>(Create("streaming", 0.25));
        Assert.Equal(75, streaming.Capacity);
        Assert.Contains("Unknown KV cache 'h2o'", Assert.Throws<ArgumentException>(() => KvCacheOptions.Parse("h2o")).Message);
        Assert.Contains("[0, 1)", Assert.Throws<ArgumentException>(() => KvCacheOptions.Parse("snapkv", 1.0)).Message);

        IKvCache Create(string name, double? ratio = null) => KvCacheFactory.Create(model, KvCacheOptions.Parse(name, ratio), 100);
    }

    [Fact]
    public async Task TheChatClientGeneratesWithTheConfiguredCache()
    {
        var dir = SharedModels.Find("stories260K");
        Assert.SkipWhen(dir is null, "shared/models/stories260K is absent");
        using var model = CausalLM.FromLlama2c(Path.Combine(dir, "stories260K.bin"));
        var tokenizer = new Llama2cPromptTokenizer(Llama2cTokenizer.Load(Path.Combine(dir, "tok512.bin"), model.Config.VocabSize));
        async Task<string> Reply(KvCacheOptions kvCache)
        {
            using var client = new LocalChatClient(model, tokenizer, new RawTextChatTemplate(), new LocalChatClientOptions { KvCache = kvCache });
            var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "Once upon a time, there was a little girl named Lily.")],
                new ChatOptions { MaxOutputTokens = 80 }, TestContext.Current.CancellationToken);
            return response.Text;
        }
        var dense = await Reply(KvCacheOptions.Dense);
        Assert.Equal(dense, await Reply(KvCacheOptions.Parse("streaming", 0))); // nothing evicted
        // A ring of a tenth of prompt + reply (4 sinks + a few recent tokens) forgets the story: the text must change.
        Assert.NotEqual(dense, await Reply(KvCacheOptions.Parse("streaming", 0.9)));

        var bad = new LocalPredictorOptions { ModelPath = Path.Combine(dir, "stories260K.bin"), KvCache = new KvCacheOptions { Kind = KvCacheKind.SnapKv, CompressionRatio = 1 } };
        Assert.Contains("CompressionRatio", Assert.Throws<ArgumentException>(bad.Validate).Message);
    }

    [Fact]
    public void Kivi4StaysCloseToDenseOnStories260K()
    {
        var dir = SharedModels.Find("stories260K");
        Assert.SkipWhen(dir is null, "shared/models/stories260K is absent");
        using var model = CausalLM.FromLlama2c(Path.Combine(dir, "stories260K.bin"));
        const int steps = 256;
        var dense = new TokenGenerator(model)
            .Generate([Llama2cTokenizer.Bos], new GenerationOptions { MaxNewTokens = steps }, TestContext.Current.CancellationToken).ToList();
        int[] text = [Llama2cTokenizer.Bos, .. dense];
        using var scope = NewDisposeScope();
        var reference = TeacherForced(model, text, KvCacheOptions.Dense);

        // Teacher-forced on the dense continuation: logits at every step, argmax agreement, mean NLL of the text.
        var results = new Dictionary<string, Run>();
        foreach (var (label, options) in new (string, KvCacheOptions)[]
        {
            ("kivi4", KvCacheOptions.Parse("kivi4")),
            ("kivi4 R=32", new KvCacheOptions { Kind = KvCacheKind.Kivi, Kivi = new KiviOptions { ResidualLength = 32 } }),
            ("kivi2 R=32", new KvCacheOptions { Kind = KvCacheKind.Kivi, Kivi = new KiviOptions { Bits = 2, ResidualLength = 32 } }),
            ("kivi2 R=32 per-token keys", new KvCacheOptions { Kind = KvCacheKind.Kivi, Kivi = new KiviOptions { Bits = 2, ResidualLength = 32, KeyQuantization = KeyQuantization.PerToken } }),
            ("gear2 n_b=32", new KvCacheOptions { Kind = KvCacheKind.Gear, Gear = new GearOptions { Bits = 2, BufferLength = 32 } }),
        })
        {
            var run = TeacherForced(model, text, options);
            results[label] = run;
            var maxDiff = run.Logits.Zip(reference.Logits).Max(p => TinyModels.MaxAbsDiff(p.First, p.Second));
            output.WriteLine($"{label}: max |Δlogit| {maxDiff:F4}, argmax agreement {run.Agreement:P1}, NLL {run.Nll:F4} (dense {reference.Nll:F4})");
            if (label == "kivi4")
            {
                Assert.True(maxDiff < 1f, $"KIVI-4 max |Δlogit| {maxDiff}");
            }
        }
        Assert.Equal(1.0, reference.Agreement); // the dense cache reproduces its own greedy text
        Assert.True(results["kivi4"].Agreement >= 0.98);
        Assert.True(results["kivi4 R=32"].Agreement >= 0.95);
        Assert.InRange(results["kivi4 R=32"].Nll / reference.Nll, 0.98, 1.02);
        // The orderings the methods rest on: per-channel keys beat per-token keys; GEAR beats plain KIVI at 2 bits.
        Assert.True(results["kivi2 R=32"].Nll < results["kivi2 R=32 per-token keys"].Nll);
        Assert.True(results["gear2 n_b=32"].Nll < results["kivi2 R=32"].Nll);

        // Free-running greedy decoding with KIVI-4 keeps most of the dense text.
        var quantized = new TokenGenerator(model, KvCacheOptions.Parse("kivi4"))
            .Generate([Llama2cTokenizer.Bos], new GenerationOptions { MaxNewTokens = steps }, TestContext.Current.CancellationToken).ToList();
        var same = dense.Zip(quantized).TakeWhile(p => p.First == p.Second).Count();
        output.WriteLine($"KIVI-4 greedy: first {same} of {steps} tokens equal to dense");
        Assert.True(same >= 128, $"only {same} equal tokens");
    }

    private sealed record Run(List<Tensor> Logits, double Agreement, double Nll);

    /// <summary>Steps through <paramref name="text"/> one token at a time; the logits stay in the caller's dispose scope.</summary>
    private static Run TeacherForced(CausalLM model, int[] text, KvCacheOptions options)
    {
        using var cache = KvCacheFactory.Create(model, options, text.Length);
        var logits = new List<Tensor>();
        var agree = 0;
        double nll = 0;
        for (var i = 0; i < text.Length - 1; i++)
        {
            var step = model.Forward(CausalLM.ToInput([text[i]]), cache)[0, 0];
            logits.Add(step);
            agree += step.argmax().item<long>() == text[i + 1] ? 1 : 0;
            nll -= step.log_softmax(0)[text[i + 1]].item<float>();
        }
        return new Run(logits, (double)agree / (text.Length - 1), nll / (text.Length - 1));
    }
}
