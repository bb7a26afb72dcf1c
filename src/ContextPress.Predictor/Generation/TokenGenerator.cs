using System.Runtime.CompilerServices;
using ContextPress.Predictor.Caching;
using TorchSharp;
using static TorchSharp.torch;

namespace ContextPress.Predictor.Generation;

/// <summary>Prefill + decode over a <see cref="CausalLM"/> and a <see cref="IKvCache"/>: greedy, or temperature/top-p sampling.</summary>
public sealed class TokenGenerator
{
    private readonly CausalLM _model;
    private readonly Func<CausalLM, long, IKvCache> _cacheFactory;

    /// <summary>Creates a generator; <paramref name="cacheFactory"/> builds the cache for a given capacity (default: <see cref="DenseKvCache"/>).</summary>
    public TokenGenerator(CausalLM model, Func<CausalLM, long, IKvCache>? cacheFactory = null)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
        _cacheFactory = cacheFactory ?? ((m, capacity) => DenseKvCache.For(m, capacity));
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
        using var cache = _cacheFactory(_model, promptIds.Count + options.MaxNewTokens);
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
