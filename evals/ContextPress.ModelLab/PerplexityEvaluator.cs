using ContextPress.Predictor;
using TorchSharp;
using static TorchSharp.torch;

namespace ContextPress.ModelLab;

/// <summary>Options for <see cref="PerplexityEvaluator"/>.</summary>
public sealed record PerplexityEvaluatorOptions
{
    /// <summary>Positions per window (the model's training context).</summary>
    public int WindowLength { get; init; } = 256;

    /// <summary>
    /// With a BOS id, each window is BOS plus <see cref="WindowLength"/> − 1 stream tokens and every stream token is scored
    /// once; without one, each window is <see cref="WindowLength"/> stream tokens and its first is context only.
    /// </summary>
    public int? BosTokenId { get; init; } = ByteCorpus.BosTokenId;

    /// <summary>Evaluate only the first this many windows (null: all).</summary>
    public int? MaxWindows { get; init; }

    /// <summary>Windows per forward pass.</summary>
    public int BatchSize { get; init; } = 8;

    /// <summary>
    /// Positions before this one are context only, not scored (0: score all). A KV-cache evaluation sets it to its
    /// prefill length, because prefill attends over full-precision keys and values whatever the cache.
    /// </summary>
    public int FirstScoredPosition { get; init; }
}

/// <summary>Summed negative log-likelihood over scored tokens.</summary>
/// <param name="NegativeLogLikelihood">Σ −log p(token), natural log.</param>
/// <param name="TokenCount">Scored tokens.</param>
public sealed record PerplexityResult(double NegativeLogLikelihood, long TokenCount)
{
    /// <summary>Mean NLL per token (nats).</summary>
    public double MeanNegativeLogLikelihood => NegativeLogLikelihood / TokenCount;

    /// <summary>exp(mean NLL).</summary>
    public double Perplexity => Math.Exp(MeanNegativeLogLikelihood);
}

/// <summary>
/// Held-out perplexity and KL(dense ‖ candidate) over a token stream cut into non-overlapping windows (the GPTQ
/// convention), for a <see cref="CausalLM"/> or any logits source ([B, T] int64 ids to [B, T, vocab] logits).
/// </summary>
public sealed class PerplexityEvaluator
{
    private readonly PerplexityEvaluatorOptions _options;

    /// <summary>Creates an evaluator.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The window is shorter than 2 or the batch is empty.</exception>
    public PerplexityEvaluator(PerplexityEvaluatorOptions? options = null)
    {
        _options = options ?? new PerplexityEvaluatorOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.WindowLength, 2, nameof(PerplexityEvaluatorOptions.WindowLength));
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.BatchSize, 1, nameof(PerplexityEvaluatorOptions.BatchSize));
        ArgumentOutOfRangeException.ThrowIfNegative(_options.FirstScoredPosition, nameof(PerplexityEvaluatorOptions.FirstScoredPosition));
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(_options.FirstScoredPosition, _options.WindowLength - 1, nameof(PerplexityEvaluatorOptions.FirstScoredPosition));
    }

    /// <summary>The windows of <paramref name="tokens"/>: inputs and the targets scored at each position (−1: not scored).</summary>
    public IReadOnlyList<(long[] Input, long[] Target)> Windows(IReadOnlyList<int> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        var w = _options.WindowLength;
        var windows = new List<(long[], long[])>();
        if (_options.BosTokenId is { } bos)
        {
            var span = w - 1;
            for (var start = 0; start + span <= tokens.Count; start += span)
            {
                var input = new long[w];
                var target = new long[w];
                input[0] = bos;
                for (var i = 0; i < span; i++)
                {
                    input[i + 1] = tokens[start + i];
                    target[i] = tokens[start + i];
                }
                target[w - 1] = -1;
                windows.Add((input, target));
            }
        }
        else
        {
            for (var start = 0; start + w <= tokens.Count; start += w)
            {
                var input = new long[w];
                var target = new long[w];
                for (var i = 0; i < w; i++)
                {
                    input[i] = tokens[start + i];
                    target[i] = i + 1 < w ? tokens[start + i + 1] : -1;
                }
                windows.Add((input, target));
            }
        }
        foreach (var (_, target) in windows)
        {
            Array.Fill(target, -1, 0, _options.FirstScoredPosition);
        }
        return _options.MaxWindows is { } max ? windows.Take(max).ToArray() : windows;
    }

    /// <summary>Perplexity of <paramref name="model"/> on <paramref name="tokens"/>.</summary>
    public PerplexityResult Perplexity(CausalLM model, IReadOnlyList<int> tokens)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Perplexity(ids => model.Forward(ids), tokens);
    }

    /// <summary>Perplexity of a logits source on <paramref name="tokens"/>.</summary>
    /// <exception cref="ArgumentException">The stream is shorter than one window.</exception>
    public PerplexityResult Perplexity(Func<Tensor, Tensor> logits, IReadOnlyList<int> tokens)
    {
        ArgumentNullException.ThrowIfNull(logits);
        double nll = 0;
        long count = 0;
        foreach (var batch in Batches(tokens))
        {
            using var scope = NewDisposeScope();
            using var grad = no_grad();
            var (input, target) = ToTensors(batch);
            var logProbs = logits(input).to_type(ScalarType.Float32).log_softmax(-1).cpu();
            var scored = target.ge(0);
            var picked = logProbs.gather(2, target.clamp_min(0).unsqueeze(2)).squeeze(2);
            nll -= picked.masked_select(scored).to_type(ScalarType.Float64).sum().item<double>();
            count += scored.sum().item<long>();
        }
        return new PerplexityResult(nll, count);
    }

    /// <summary>Mean per-token KL(dense ‖ candidate) in nats over the scored positions of <paramref name="tokens"/>.</summary>
    public double KlDivergence(CausalLM dense, CausalLM candidate, IReadOnlyList<int> tokens)
    {
        ArgumentNullException.ThrowIfNull(dense);
        ArgumentNullException.ThrowIfNull(candidate);
        return KlDivergence(ids => dense.Forward(ids), ids => candidate.Forward(ids), tokens);
    }

    /// <summary>Mean per-token KL(dense ‖ candidate) in nats for two logits sources.</summary>
    public double KlDivergence(Func<Tensor, Tensor> dense, Func<Tensor, Tensor> candidate, IReadOnlyList<int> tokens)
    {
        ArgumentNullException.ThrowIfNull(dense);
        ArgumentNullException.ThrowIfNull(candidate);
        double sum = 0;
        long count = 0;
        foreach (var batch in Batches(tokens))
        {
            using var scope = NewDisposeScope();
            using var grad = no_grad();
            var (input, target) = ToTensors(batch);
            var p = dense(input).to_type(ScalarType.Float64).log_softmax(-1).cpu();
            var q = candidate(input).to_type(ScalarType.Float64).log_softmax(-1).cpu();
            var kl = (p.exp() * (p - q)).sum(-1);
            var scored = target.ge(0);
            sum += kl.masked_select(scored).sum().item<double>();
            count += scored.sum().item<long>();
        }
        return sum / count;
    }

    private (Tensor Input, Tensor Target) ToTensors((long[] Input, long[] Target)[] batch)
    {
        long[] shape = [batch.Length, _options.WindowLength];
        return (tensor(batch.SelectMany(b => b.Input).ToArray(), shape, ScalarType.Int64),
            tensor(batch.SelectMany(b => b.Target).ToArray(), shape, ScalarType.Int64));
    }

    private IEnumerable<(long[] Input, long[] Target)[]> Batches(IReadOnlyList<int> tokens)
    {
        var windows = Windows(tokens);
        if (windows.Count == 0)
        {
            throw new ArgumentException($"{tokens.Count} tokens do not fill one window of {_options.WindowLength}.", nameof(tokens));
        }
        return windows.Chunk(_options.BatchSize);
    }
}
