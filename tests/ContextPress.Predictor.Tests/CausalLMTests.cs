using ContextPress.Predictor.Caching;
using ContextPress.Predictor.Generation;
using ContextPress.Torch.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace ContextPress.Predictor.Tests;

public sealed class CausalLMTests
{
    private static LlamaConfig Small(string modelType = "llama", int kvHeads = 2, bool tied = true, int? slidingWindow = null) => new()
    {
        ModelType = modelType,
        HiddenSize = 32,
        IntermediateSize = 48,
        NumHiddenLayers = 2,
        NumAttentionHeads = 4,
        NumKeyValueHeads = kvHeads,
        VocabSize = 64,
        RmsNormEps = 1e-6,
        RopeTheta = 10000,
        TieWordEmbeddings = tied,
        SlidingWindow = slidingWindow,
        UseSlidingWindow = slidingWindow is not null,
    };

    private static CausalLM Randomized(LlamaConfig config, int seed = 1) => Caching.TinyModels.Randomized(config, seed);

    [Theory]
    [InlineData("llama", 2, true, null, false)]
    [InlineData("llama", 2, true, null, true)]
    [InlineData("llama", 4, false, null, true)]
    [InlineData("qwen2", 1, true, null, false)]
    [InlineData("qwen2", 1, true, null, true)]
    [InlineData("mistral", 2, false, 3, true)]
    public void IncrementalDecodingMatchesAFullForwardPass(string modelType, int kvHeads, bool tied, int? window, bool fuse)
    {
        using var model = Randomized(Small(modelType, kvHeads, tied, window));
        int[] ids = [5, 17, 33, 2, 60, 9, 41, 12, 7];
        using var scope = NewDisposeScope();
        var full = model.Forward(CausalLM.ToInput(ids))[0];
        if (fuse)
        {
            model.FuseProjections();
        }

        // Prefill 4 tokens, then 2 at once (past > 0, T > 1: explicit mask), then one at a time.
        using var cache = DenseKvCache.For(model, capacity: 16);
        var parts = new List<Tensor>
        {
            model.Forward(CausalLM.ToInput(ids[..4]), cache)[0],
            model.Forward(CausalLM.ToInput(ids[4..6]), cache)[0],
        };
        for (var i = 6; i < ids.Length; i++)
        {
            parts.Add(model.Forward(CausalLM.ToInput([ids[i]]), cache)[0]);
        }
        Assert.Equal(ids.Length, cache.Length);
        var incremental = cat(parts, 0);
        var maxDiff = (incremental - full).abs().max().item<float>();
        Assert.True(maxDiff < 1e-4f, $"max |diff| {maxDiff}");
        Assert.True(full.std().item<float>() > 0.1f, "random weights must give non-trivial logits");
    }

    [Theory]
    [InlineData("llama")]
    [InlineData("qwen2")]
    public void FusedProjectionsKeepTheStateDictAndTheLogits(string modelType)
    {
        using var model = Randomized(Small(modelType, kvHeads: 2), seed: 11);
        using var scope = NewDisposeScope();
        var before = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        int[] ids = [3, 14, 15, 9, 26];
        var unfused = model.Forward(CausalLM.ToInput(ids));
        model.FuseProjections();
        model.FuseProjections(); // idempotent
        var after = model.state_dict();
        Assert.Equal(before.Keys.Order(), after.Keys.Order());
        Assert.All(before, kv => Assert.True(kv.Value.equal(after[kv.Key]).all().item<bool>(), kv.Key));
        var fused = model.Forward(CausalLM.ToInput(ids));
        Assert.True((fused - unfused).abs().max().item<float>() < 1e-5f);

        // The HF-named parameters are views of the packed matrix: loading into them after fusion still takes effect.
        using (no_grad())
        {
            after["model.layers.0.self_attn.k_proj.weight"].zero_();
        }
        var changed = model.Forward(CausalLM.ToInput(ids));
        Assert.True((changed - fused).abs().max().item<float>() > 1e-4f);
    }

    [Fact]
    public void SlidingWindowChangesLogitsOnlyBeyondTheWindow()
    {
        using var windowed = Randomized(Small("mistral", slidingWindow: 3), seed: 7);
        using var plain = Randomized(Small("llama"), seed: 7);
        int[] ids = [1, 2, 3, 4, 5, 6];
        using var scope = NewDisposeScope();
        var a = windowed.Forward(CausalLM.ToInput(ids))[0];
        var b = plain.Forward(CausalLM.ToInput(ids))[0];
        Assert.True((a.narrow(0, 0, 3) - b.narrow(0, 0, 3)).abs().max().item<float>() < 1e-5f);
        Assert.True((a.narrow(0, 3, 3) - b.narrow(0, 3, 3)).abs().max().item<float>() > 1e-3f);
    }

    [Fact]
    public void StateDictUsesHuggingFaceNames()
    {
        using var untied = new CausalLM(Small("llama", tied: false));
        var keys = untied.state_dict().Keys.ToHashSet();
        Assert.Contains("model.embed_tokens.weight", keys);
        Assert.Contains("model.layers.1.self_attn.q_proj.weight", keys);
        Assert.Contains("model.layers.0.self_attn.o_proj.weight", keys);
        Assert.Contains("model.layers.0.mlp.gate_proj.weight", keys);
        Assert.Contains("model.layers.0.input_layernorm.weight", keys);
        Assert.Contains("model.layers.0.post_attention_layernorm.weight", keys);
        Assert.Contains("model.norm.weight", keys);
        Assert.Contains("lm_head.weight", keys);
        Assert.Equal(3 + 2 * 9, keys.Count);

        using var qwen = new CausalLM(Small("qwen2", tied: true));
        var qwenKeys = qwen.state_dict().Keys.ToHashSet();
        Assert.Contains("model.layers.0.self_attn.q_proj.bias", qwenKeys);
        Assert.Contains("model.layers.0.self_attn.v_proj.bias", qwenKeys);
        Assert.DoesNotContain("model.layers.0.self_attn.o_proj.bias", qwenKeys);
        Assert.DoesNotContain("lm_head.weight", qwenKeys);
    }

    [Fact]
    public void LoadingNamesTheMissingTensor()
    {
        using var source = Randomized(Small("llama", tied: false));
        var tensors = source.state_dict().Where(kv => kv.Key != "model.layers.1.mlp.up_proj.weight")
            .ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        tensors["model.layers.0.self_attn.rotary_emb.inv_freq"] = zeros(4); // ignored, as some exporters save it
        tensors["model.layers.0.self_attn.q_norm.weight"] = zeros(8);
        using var checkpoint = new TensorDictionaryCheckpoint(tensors);
        var e = Assert.Throws<CheckpointMismatchException>(() => CausalLM.FromCheckpoint(Small("llama", tied: false), checkpoint));
        Assert.Equal(["model.layers.1.mlp.up_proj.weight"], e.Missing);
        Assert.Equal(["model.layers.0.self_attn.q_norm.weight"], e.Unexpected);
    }

    [Fact]
    public void GreedyGenerationStopsAndSamplingIsSeeded()
    {
        using var model = Randomized(Small(), seed: 3);
        var generator = new TokenGenerator(model);
        var ct = TestContext.Current.CancellationToken;
        var greedy = generator.Generate([1, 2, 3], new GenerationOptions { MaxNewTokens = 12 }, ct).ToList();
        Assert.Equal(12, greedy.Count);

        // The same greedy tokens from full forward passes, one argmax at a time.
        var sequence = new List<int> { 1, 2, 3 };
        for (var i = 0; i < 12; i++)
        {
            var last = model.ComputeLogits(sequence)[^1];
            sequence.Add(Array.IndexOf(last, last.Max()));
        }
        Assert.Equal(sequence.Skip(3), greedy);

        var stopped = generator.Generate([1, 2, 3], new GenerationOptions { MaxNewTokens = 12, StopTokenIds = [greedy[4]] }, ct).ToList();
        Assert.Equal(greedy.TakeWhile(t => t != greedy[4]), stopped);

        var sampling = new GenerationOptions { MaxNewTokens = 20, Temperature = 1.5f, TopP = 0.9f, Seed = 42 };
        var a = generator.Generate([1, 2, 3], sampling, ct).ToList();
        var b = generator.Generate([1, 2, 3], sampling, ct).ToList();
        var c = generator.Generate([1, 2, 3], sampling with { Seed = 43 }, ct).ToList();
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);

        using var cts = new CancellationTokenSource();
        var taken = new List<int>();
        Assert.Throws<OperationCanceledException>(() =>
        {
            foreach (var t in generator.Generate([1], new GenerationOptions { MaxNewTokens = 50 }, cts.Token))
            {
                taken.Add(t);
                if (taken.Count == 3)
                {
                    cts.Cancel();
                }
            }
        });
        Assert.Equal(3, taken.Count);
    }

    [Theory]
    [InlineData("llama", 2, null, false)]
    [InlineData("llama", 2, null, true)]
    [InlineData("qwen2", 1, null, true)]
    [InlineData("mistral", 2, 4, true)]
    public void BatchedGenerationMatchesOnePromptAtATime(string modelType, int kvHeads, int? window, bool fuse)
    {
        using var model = Randomized(Small(modelType, kvHeads, tied: true, window), seed: 5);
        if (fuse)
        {
            model.FuseProjections();
        }
        var generator = new TokenGenerator(model);
        var ct = TestContext.Current.CancellationToken;
        IReadOnlyList<int>[] prompts = [[1, 2, 3, 4, 5, 6], [7], [8, 9, 10], [11, 12, 13, 14, 15, 16]];
        var options = new GenerationOptions { MaxNewTokens = 10 };
        var single = prompts.Select(p => generator.Generate(p, options, ct).ToList()).ToList();
        var batched = generator.GenerateBatch(prompts, options, ct);
        Assert.Equal(single.Count, batched.Count);
        for (var i = 0; i < prompts.Length; i++)
        {
            Assert.Equal(single[i], batched[i]);
        }

        // Rows stop on their own.
        var stop = single[1][3];
        var stopped = generator.GenerateBatch(prompts, options with { StopTokenIds = [stop] }, ct);
        for (var i = 0; i < prompts.Length; i++)
        {
            Assert.Equal(single[i].TakeWhile(t => t != stop), stopped[i]);
        }
    }

    [Fact]
    public void BatchedPrefillLogitsMatchSinglePrefill()
    {
        using var model = Randomized(Small("llama", 2), seed: 9);
        using var scope = NewDisposeScope();
        int[] a = [3, 1, 4, 1, 5];
        int[] b = [9, 2];
        var alone = model.Forward(CausalLM.ToInput(b))[0];
        var input = tensor(new long[] { 3, 1, 4, 1, 5, 0, 0, 0, 9, 2 }, [2, 5], ScalarType.Int64);
        using var cache = DenseKvCache.For(model, 5, batch: 2);
        var batched = model.Forward(input, cache, leftPadding: [0, 3]);
        Assert.True((batched[1].narrow(0, 3, 2) - alone).abs().max().item<float>() < 1e-5f);
        Assert.True((batched[0] - model.Forward(CausalLM.ToInput(a))[0]).abs().max().item<float>() < 1e-5f);
    }

    [Fact]
    public void DecodingKeepsNoTensorsAlive()
    {
        using var model = Randomized(Small());
        var generator = new TokenGenerator(model);
        _ = generator.Generate([1, 2], new GenerationOptions { MaxNewTokens = 4 }, TestContext.Current.CancellationToken).ToList();
        var before = DisposeScopeManager.Statistics.ThreadTotalLiveCount; // per thread: other tests run in parallel
        _ = generator.Generate([1, 2], new GenerationOptions { MaxNewTokens = 64 }, TestContext.Current.CancellationToken).ToList();
        using (var cache = DenseKvCache.For(model, 8))
        {
            using var scope = NewDisposeScope();
            _ = model.Forward(CausalLM.ToInput([1, 2, 3]), cache);
        }
        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    [Fact]
    public void ConfigReadsEosListsRopeScalingAndQwenBiasRules()
    {
        var config = ContextPress.Torch.HuggingFace.HfConfig.Parse<LlamaConfig>("""
            {"model_type":"llama","hidden_size":64,"intermediate_size":128,"num_hidden_layers":2,"num_attention_heads":8,
             "num_key_value_heads":2,"vocab_size":100,"eos_token_id":[128001,128009],"tie_word_embeddings":true,
             "rope_theta":500000.0,"rope_scaling":{"rope_type":"llama3","factor":32.0,"low_freq_factor":1.0,"high_freq_factor":4.0,"original_max_position_embeddings":8192}}
            """).Validate();
        Assert.Equal([128001, 128009], config.EosTokenId);
        Assert.Equal(8, config.HeadDimension);
        Assert.Equal("llama3", config.RopeScaling!.Kind);
        Assert.Equal(32.0, config.RopeScaling.Factor);
        Assert.False(config.QkvBias);

        var qwen = ContextPress.Torch.HuggingFace.HfConfig.Parse<LlamaConfig>("""{"model_type":"qwen2","eos_token_id":151643}""");
        Assert.Equal([151643], qwen.EosTokenId);
        Assert.True(qwen.QkvBias);
        Assert.False(qwen.OutputBias);
        Assert.Throws<InvalidDataException>(() => qwen.Validate()); // sizes missing
    }
}
