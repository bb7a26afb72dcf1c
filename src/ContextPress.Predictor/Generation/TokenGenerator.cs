using System.Runtime.CompilerServices;
using ContextPress.Predictor.Caching;
using TorchSharp;
using static TorchSharp.torch;

namespace ContextPress.Predictor.Generation;

/// <summary>Prefill + decode over a <see cref="CausalLM"/> and a <see cref="IKvCache"/>: greedy, or temperature/top-p sampling.</summary>
public sealed class TokenGenerator
{
    private readonly CausalLM _model;
    private readonly Func<CausalLM, long, long, IKvCache> _cacheFactory;

    /// <summary>
    /// Creates a generator; <paramref name="cacheFactory"/> builds the cache for a model, a capacity in positions and a batch
    /// size (default: <see cref="DenseKvCache"/>).
    /// </summary>
    public TokenGenerator(CausalLM model, Func<CausalLM, long, long, IKvCache>? cacheFactory = null)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
        _cacheFactory = cacheFactory ?? ((m, capacity, batch) => DenseKvCache.For(m, capacity, batch));
    }

    /// <summary>Creates a generator whose caches are built by <see cref="KvCacheFactory"/> from <paramref name="kvCache"/>.</summary>
    public TokenGenerator(CausalLM model, KvCacheOptions kvCache)
        : this(model, CacheFactoryFor(kvCache))
    {
    }

    private static Func<CausalLM, long, long, IKvCache> CacheFactoryFor(KvCacheOptions kvCache)
    {
        ArgumentNullException.ThrowIfNull(kvCache);
        kvCache.Validate();
        return (m, capacity, batch) => KvCacheFactory.Create(m, kvCache, capacity, batch);
    }

    /// <summary>
    /// Yields generated token ids one at a time: one forward over the prompt, then one per token. Stops at
    /// <see cref="GenerationOptions.MaxNewTokens"/>, at a stop token (not yielded), or when cancelled (throws).
    /// </summary>
    public IEnumerable<int> Generate(IReadOnlyList<int> promptIds, GenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(promptIds);
        if (promptIds.Count == 0)
        {
            throw new ArgumentException("The prompt needs at least one token (e.g. BOS).", nameof(promptIds));
        }
        options ??= new GenerationOptions();
        return GenerateCore(promptIds, options, cancellationToken);
    }

    private IEnumerable<int> GenerateCore(IReadOnlyList<int> promptIds, GenerationOptions options, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var cache = _cacheFactory(_model, promptIds.Count + options.MaxNewTokens, 1);
        using var generator = options.Temperature > 0 ? new Generator((ulong)(options.Seed ?? Random.Shared.NextInt64())) : null;
        var next = Step(CausalLM.ToInputOnDevice(promptIds, _model.Device), cache, options, generator);
        for (var produced = 0; produced < options.MaxNewTokens; produced++)
        {
            if (options.StopTokenIds.Contains(next))
            {
                yield break;
            }
            yield return next;
            cancellationToken.ThrowIfCancellationRequested();
            if (produced + 1 == options.MaxNewTokens)
            {
                yield break;
            }
            next = Step(CausalLM.ToInputOnDevice([next], _model.Device), cache, options, generator);
        }
    }

    private int Step(Func<Tensor> input, IKvCache cache, GenerationOptions options, Generator? generator)
    {
        using var scope = NewDisposeScope();
        var logits = _model.Forward(input(), cache, lastPositionOnly: true)[0, 0];
        return (int)Pick(logits, options, generator);
    }

    /// <summary>
    /// Generates for several prompts at once: one batched prefill over the left-padded prompts, then one batched step per
    /// token. Each row stops on its own (stop token or <see cref="GenerationOptions.MaxNewTokens"/>); the results equal
    /// what <see cref="Generate"/> gives each prompt alone, up to floating-point rounding.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<int>> GenerateBatch(IReadOnlyList<IReadOnlyList<int>> prompts, GenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        if (prompts.Count == 0 || prompts.Any(p => p is null || p.Count == 0))
        {
            throw new ArgumentException("Every prompt needs at least one token.", nameof(prompts));
        }
        options ??= new GenerationOptions();
        cancellationToken.ThrowIfCancellationRequested();
        var batch = prompts.Count;
        var width = prompts.Max(p => p.Count);
        var padding = prompts.Select(p => (long)(width - p.Count)).ToArray();
        var input = new long[batch * width];
        for (var row = 0; row < batch; row++)
        {
            for (var i = 0; i < prompts[row].Count; i++)
            {
                input[row * width + padding[row] + i] = prompts[row][i];
            }
        }
        var outputs = Enumerable.Range(0, batch).Select(_ => new List<int>()).ToArray();
        var done = new bool[batch];
        using var cache = _cacheFactory(_model, width + options.MaxNewTokens, batch);
        using var generator = options.Temperature > 0 ? new Generator((ulong)(options.Seed ?? Random.Shared.NextInt64())) : null;
        long[] next = StepBatch(input, batch, width, cache, padding, options, generator);
        for (var produced = 0; produced < options.MaxNewTokens; produced++)
        {
            for (var row = 0; row < batch; row++)
            {
                if (done[row])
                {
                    continue;
                }
                if (options.StopTokenIds.Contains((int)next[row]))
                {
                    done[row] = true;
                    continue;
                }
                outputs[row].Add((int)next[row]);
            }
            cancellationToken.ThrowIfCancellationRequested();
            if (produced + 1 == options.MaxNewTokens || done.All(d => d))
            {
                break;
            }
            next = StepBatch(next.Select((t, row) => done[row] ? 0L : t).ToArray(), batch, 1, cache, padding, options, generator);
        }
        return outputs;
    }

    private long[] StepBatch(long[] ids, int batch, int width, IKvCache cache, long[] padding, GenerationOptions options, Generator? generator)
    {
        using var scope = NewDisposeScope();
        var input = tensor(ids, [batch, width], ScalarType.Int64);
        var logits = _model.Forward(input, cache, lastPositionOnly: true, leftPadding: padding).select(1, 0);
        if (options.Temperature <= 0 || generator is null)
        {
            return logits.argmax(-1).cpu().data<long>().ToArray();
        }
        return Enumerable.Range(0, batch).Select(row => Pick(logits[row], options, generator)).ToArray();
    }

    /// <summary>Chooses the next token from last-position logits [vocab].</summary>
    internal static long Pick(Tensor logits, GenerationOptions options, Generator? generator)
    {
        if (options.Temperature <= 0 || generator is null)
        {
            return logits.argmax().item<long>();
        }
        using var scope = NewDisposeScope();
        var probs = (logits / options.Temperature).softmax(-1);
        if (options.TopP < 1f)
        {
            var (sorted, indices) = probs.sort(descending: true);
            var before = sorted.cumsum(0) - sorted; // mass strictly before each token
            sorted = sorted.masked_fill(before >= options.TopP, 0);
            probs = zeros_like(probs).scatter(0, indices, sorted);
        }
        return multinomial(probs, 1, generator: generator).item<long>();
    }
}
