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
            var (batchNll, batchCount) = NegativeLogLikelihood(logits(input), target);
            nll += batchNll;
            count += batchCount;
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
        using var reference = Reference(dense, tokens);
        return Compare(reference, candidate, tokens).KlDivergence;
    }

    /// <summary>
    /// Runs a reference (the dense model) once over <paramref name="tokens"/> and keeps its logits, so that
    /// <see cref="Compare"/> can judge many candidates without recomputing it.
    /// </summary>
    public ReferenceLogits Reference(Func<Tensor, Tensor> logits, IReadOnlyList<int> tokens)
    {
        ArgumentNullException.ThrowIfNull(logits);
        var batches = new List<Tensor>();
        try
        {
            foreach (var batch in Batches(tokens))
            {
                using var scope = NewDisposeScope();
                using var grad = no_grad();
                batches.Add(logits(ToTensors(batch).Input).to_type(ScalarType.Float32).cpu().DetachFromDisposeScope());
            }
        }
        catch
        {
            batches.ForEach(t => t.Dispose());
            throw;
        }
        return new ReferenceLogits(batches);
    }

    /// <summary>Perplexity of the reference itself, from its kept logits (no model pass).</summary>
    public PerplexityResult Perplexity(ReferenceLogits reference, IReadOnlyList<int> tokens)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var batches = BatchesFor(reference, tokens);
        double nll = 0;
        long count = 0;
        for (var b = 0; b < batches.Length; b++)
        {
            using var scope = NewDisposeScope();
            var (batchNll, batchCount) = NegativeLogLikelihood(reference.Batches[b], ToTensors(batches[b]).Target);
            nll += batchNll;
            count += batchCount;
        }
        return new PerplexityResult(nll, count);
    }

    /// <summary>
    /// A candidate's perplexity and its mean per-token KL(reference ‖ candidate) in nats, from one pass of the candidate
    /// over the same <paramref name="tokens"/> the reference was computed on.
    /// </summary>
    /// <exception cref="ArgumentException">The reference was computed on other windows.</exception>
    public (PerplexityResult Perplexity, double KlDivergence) Compare(ReferenceLogits reference, Func<Tensor, Tensor> candidate, IReadOnlyList<int> tokens)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(candidate);
        var batches = BatchesFor(reference, tokens);
        double nll = 0;
        double kl = 0;
        long count = 0;
        for (var b = 0; b < batches.Length; b++)
        {
            using var scope = NewDisposeScope();
            using var grad = no_grad();
            var (input, target) = ToTensors(batches[b]);
            var logits = candidate(input);
            var (batchNll, batchCount) = NegativeLogLikelihood(logits, target);
            var p = reference.Batches[b].to_type(ScalarType.Float64).log_softmax(-1);
            var q = logits.to_type(ScalarType.Float64).log_softmax(-1).cpu();
            kl += (p.exp() * (p - q)).sum(-1).masked_select(target.ge(0)).sum().item<double>();
            nll += batchNll;
            count += batchCount;
        }
        return (new PerplexityResult(nll, count), kl / count);
    }

    private (long[] Input, long[] Target)[][] BatchesFor(ReferenceLogits reference, IReadOnlyList<int> tokens)
    {
        var batches = Batches(tokens).ToArray();
        if (batches.Length != reference.Batches.Count)
        {
            throw new ArgumentException($"The reference covers {reference.Batches.Count} batches; these tokens make {batches.Length}.", nameof(reference));
        }
        return batches;
    }

    // Σ −log p(target) over the scored positions (fp32 log-softmax, fp64 sum) and their count.
    private static (double Nll, long Count) NegativeLogLikelihood(Tensor logits, Tensor target)
    {
        var logProbs = logits.to_type(ScalarType.Float32).log_softmax(-1).cpu();
        var scored = target.ge(0);
        var picked = logProbs.gather(2, target.clamp_min(0).unsqueeze(2)).squeeze(2);
        return (-picked.masked_select(scored).to_type(ScalarType.Float64).sum().item<double>(), scored.sum().item<long>());
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

/// <summary>A reference's logits per evaluation batch (fp32, CPU), kept for comparing candidates against it.</summary>
public sealed class ReferenceLogits : IDisposable
{
    internal ReferenceLogits(IReadOnlyList<Tensor> batches) => Batches = batches;

    internal IReadOnlyList<Tensor> Batches { get; }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var batch in Batches)
        {
            batch.Dispose();
        }
    }
}
