using System.Buffers;
using System.Diagnostics;
using System.Runtime.InteropServices;
using ContextPress.Diagnostics;
using ContextPress.Scoring;
using ContextPress.Text;
using ContextPress.Tokens;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ContextPress.Compression;

/// <summary>
/// LLMLingua-2-style prompt compression: split the text into words, score each word's keep probability with an
/// <see cref="ITokenScorer"/>, keep the most probable words within a token budget, and rebuild the text.
/// </summary>
/// <remarks>
/// Thread-safe; create one and reuse it. <see cref="PromptCompressionMode.Default"/> meets the budget over the whole
/// input and verifies it with an exact count; <see cref="PromptCompressionMode.Reference"/> reproduces
/// microsoft/LLMLingua's selection for parity tests.
/// </remarks>
public sealed partial class PromptCompressor
{
    private static readonly IReadOnlyList<string> s_referenceChunkEnds = [".", "\n"];

    private readonly ILogger _logger;

    /// <summary>Initializes a new instance of the <see cref="PromptCompressor"/> class.</summary>
    /// <param name="scorer">Scores words.</param>
    /// <param name="tokenCounter">Counts tokens for budgets and reports (default mode).</param>
    /// <param name="logger">Optional logger.</param>
    /// <param name="defaultOptions">Options for calls that pass none; <see cref="PromptCompressionOptions.Default"/> when null.</param>
    public PromptCompressor(ITokenScorer scorer, ITokenCounter tokenCounter, ILogger<PromptCompressor>? logger = null, PromptCompressionOptions? defaultOptions = null)
    {
        ArgumentNullException.ThrowIfNull(scorer);
        ArgumentNullException.ThrowIfNull(tokenCounter);
        defaultOptions?.Validate();
        Scorer = scorer;
        TokenCounter = tokenCounter;
        DefaultOptions = defaultOptions ?? PromptCompressionOptions.Default;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Gets the options used by calls that pass none.</summary>
    public PromptCompressionOptions DefaultOptions { get; }

    /// <summary>Gets the word scorer.</summary>
    public ITokenScorer Scorer { get; }

    /// <summary>Gets the token counter budgets are measured with in <see cref="PromptCompressionMode.Default"/>.</summary>
    public ITokenCounter TokenCounter { get; }

    /// <summary>Creates a compressor with the embedded statistical scorer, counting in o200k_base.</summary>
    /// <returns>A compressor that needs no model file.</returns>
    public static PromptCompressor CreateDefault() => new(StatisticalTokenScorer.Default, TiktokenTokenCounter.O200k);

    /// <summary>Compresses <paramref name="text"/>.</summary>
    /// <param name="text">The text; any length, any script.</param>
    /// <param name="options">Rate or budget, force tokens and mode; <see cref="DefaultOptions"/> when null.</param>
    /// <param name="cancellationToken">Cancels the compression.</param>
    /// <returns>The compressed text and its report.</returns>
    public async ValueTask<PromptCompressionResult> CompressAsync(string text, PromptCompressionOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        options ??= DefaultOptions;
        options.Validate();

        using Activity? activity = ContextPressTelemetry.ActivitySource.StartActivity("contextpress.compress_prompt");
        PromptCompressionResult result = options.Mode == PromptCompressionMode.Reference
            ? await CompressReferenceAsync(text, options, cancellationToken).ConfigureAwait(false)
            : await CompressDefaultAsync(text, options, cancellationToken).ConfigureAwait(false);

        ContextPressTelemetry.InputTokens.Add(result.OriginalTokens, new KeyValuePair<string, object?>("contextpress.compressor", "prompt"));
        ContextPressTelemetry.OutputTokens.Add(result.CompressedTokens, new KeyValuePair<string, object?>("contextpress.compressor", "prompt"));
        ContextPressTelemetry.Duration.Record(result.Timings.Total.TotalSeconds);
        if (result.CompressedTokens > 0)
        {
            ContextPressTelemetry.Ratio.Record(result.Ratio);
        }

        activity?.SetTag("contextpress.tokens.input", result.OriginalTokens);
        activity?.SetTag("contextpress.tokens.output", result.CompressedTokens);
        activity?.SetTag("contextpress.budget.feasible", result.BudgetFeasible);
        LogCompressed(result.OriginalTokens, result.CompressedTokens, result.TargetTokens, result.Timings.Total.TotalMilliseconds);
        if (!result.BudgetFeasible)
        {
            LogInfeasible(result.TargetTokens, result.CompressedTokens);
        }

        return result;
    }

    private async ValueTask<PromptCompressionResult> CompressDefaultAsync(string text, PromptCompressionOptions options, CancellationToken cancellationToken)
    {
        long started = Stopwatch.GetTimestamp();
        int originalTokens = TokenCounter.CountTokens(text);
        int budget = options.TargetTokens ?? (int)Math.Floor(options.Rate * originalTokens);
        if (budget >= originalTokens)
        {
            return Unchanged(text, originalTokens, budget, TokenCounter.EncodingName, options, Stopwatch.GetElapsedTime(started));
        }

        var words = new List<WordSpan>(text.Length / 5);
        WordSplitter.Split(text, words);
        if (words.Count == 0)
        {
            return Unchanged(text, originalTokens, budget, TokenCounter.EncodingName, options, Stopwatch.GetElapsedTime(started));
        }

        MarkForced(text, CollectionsMarshal.AsSpan(words), options.ForceTokens, options.ForceReserveDigit ?? true);

        int[] weights = ArrayPool<int>.Shared.Rent(words.Count);
        float[] probabilities = ArrayPool<float>.Shared.Rent(words.Count);
        bool[] keep = ArrayPool<bool>.Shared.Rent(words.Count);
        try
        {
            CountWords(TokenCounter, text, CollectionsMarshal.AsSpan(words), weights);
            long scoringStarted = Stopwatch.GetTimestamp();
            List<WordScoringChunk> chunks = BuildChunks(text, words, weights, probabilities, options.Question, isReference: false);
            await Scorer.ScoreAsync(chunks, cancellationToken).ConfigureAwait(false);

            long selectionStarted = Stopwatch.GetTimestamp();
            bool[] kept = SelectDefault(text, CollectionsMarshal.AsSpan(words), probabilities, weights, keep, budget, options.DropConsecutive, out string compressed, out int compressedTokens);
            return CreateResult(compressed, originalTokens, compressedTokens, TokenCounter.EncodingName, budget, options, words, kept.AsSpan(0, words.Count), chunks.Count, started, scoringStarted, selectionStarted);
        }
        finally
        {
            ArrayPool<int>.Shared.Return(weights);
            ArrayPool<float>.Shared.Return(probabilities);
            ArrayPool<bool>.Shared.Return(keep);
        }
    }

    private static void CountWords(ITokenCounter counter, string text, ReadOnlySpan<WordSpan> words, int[] weights)
    {
        for (int w = 0; w < words.Length; w++)
        {
            weights[w] = counter.CountTokens(words[w].Slice(text));
        }
    }

    private bool[] SelectDefault(string text, ReadOnlySpan<WordSpan> words, float[] probabilities, int[] weights, bool[] keep, int budget, bool dropConsecutive, out string compressed, out int compressedTokens)
    {
        Span<bool> kept = keep.AsSpan(0, words.Length);
        ReadOnlySpan<float> scores = probabilities.AsSpan(0, words.Length);
        ReadOnlySpan<int> tokenWeights = weights.AsSpan(0, words.Length);
        kept.Clear();
        if (dropConsecutive)
        {
            DropConsecutiveForced(text, words, kept);
        }

        int forcedWeight = 0;
        for (int w = 0; w < words.Length; w++)
        {
            kept[w] = (words[w].Traits & WordTraits.Forced) != 0 && !kept[w];
            forcedWeight += kept[w] ? tokenWeights[w] : 0;
        }

        BudgetSelector.Select(scores, tokenWeights, kept, budget - forcedWeight);
        compressed = DefaultTextBuilder.Build(text, words, kept);
        compressedTokens = TokenCounter.CountTokens(compressed);

        // Word counts taken in isolation differ slightly from the joined text's (".\n" is one token, "." + "\n" two):
        // top up with the next best words while the exact count is under budget, then give back the least probable
        // words until it fits, so the result meets the budget within a word, counted exactly.
        int tolerance = Math.Max(2, budget / 200);
        for (int pass = 0; pass < 8 && compressedTokens < budget - tolerance; pass++)
        {
            if (BudgetSelector.Select(scores, tokenWeights, kept, budget - compressedTokens) == 0)
            {
                break;
            }

            compressed = DefaultTextBuilder.Build(text, words, kept);
            compressedTokens = TokenCounter.CountTokens(compressed);
        }

        for (int pass = 0; pass < 16 && compressedTokens > budget; pass++)
        {
            if (!BudgetSelector.DropLeastProbable(scores, tokenWeights, words, kept, compressedTokens - budget))
            {
                break;
            }

            compressed = DefaultTextBuilder.Build(text, words, kept);
            compressedTokens = TokenCounter.CountTokens(compressed);
        }

        // A last few single words, best first, each verified, where the passes above left a gap.
        for (int attempt = 0; attempt < 4 && compressedTokens < budget - tolerance; attempt++)
        {
            int candidate = BudgetSelector.BestUnkept(scores, tokenWeights, kept, budget - compressedTokens);
            if (candidate < 0)
            {
                break;
            }

            kept[candidate] = true;
            string trial = DefaultTextBuilder.Build(text, words, kept);
            int trialTokens = TokenCounter.CountTokens(trial);
            if (trialTokens > budget)
            {
                kept[candidate] = false;
                break;
            }

            (compressed, compressedTokens) = (trial, trialTokens);
        }

        return keep;
    }

    private async ValueTask<PromptCompressionResult> CompressReferenceAsync(string text, PromptCompressionOptions options, CancellationToken cancellationToken)
    {
        // The reference counts and weights in cl100k (tiktoken's gpt-3.5-turbo encoding), whatever the compressor's counter.
        TiktokenTokenCounter cl100k = TiktokenTokenCounter.Cl100k;
        long started = Stopwatch.GetTimestamp();
        int originalTokens = cl100k.CountTokens(text);
        double rate = options.TargetTokens is int target
            ? (originalTokens == 0 ? 1.0 : Math.Min((double)target / originalTokens, 1.0))
            : options.Rate;
        double reduceRate = Math.Max(0.0, 1.0 - rate);
        int budget = (int)Math.Floor(rate * originalTokens);
        if (reduceRate <= 0)
        {
            return Unchanged(text, originalTokens, budget, cl100k.EncodingName, options, Stopwatch.GetElapsedTime(started));
        }

        var words = new List<WordSpan>();
        IWordSegmenter segmenter = Scorer as IWordSegmenter ?? ReferenceWordSplitter.Instance;
        segmenter.Split(text, options.ForceTokens, words);
        var weights = new int[words.Count];
        for (int w = 0; w < words.Count; w++)
        {
            weights[w] = ReferenceWordWeight(cl100k, text, words[w]);
        }

        var probabilities = new float[words.Count];
        long scoringStarted = Stopwatch.GetTimestamp();
        List<WordScoringChunk> chunks = BuildChunks(text, words, weights, probabilities, question: null, isReference: true);
        await Scorer.ScoreAsync(chunks, cancellationToken).ConfigureAwait(false);

        long selectionStarted = Stopwatch.GetTimestamp();
        var kept = new bool[words.Count];
        var output = new System.Text.StringBuilder(text.Length);
        int offset = 0;
        foreach (WordScoringChunk chunk in chunks)
        {
            int count = chunk.Words.Length;
            ReferenceSelection.SelectChunk(
                text,
                chunk.Words.Span,
                probabilities.AsSpan(offset, count),
                weights.AsSpan(offset, count),
                kept.AsSpan(offset, count),
                reduceRate,
                options.ForceReserveDigit ?? false,
                options.DropConsecutive,
                output);
            offset += count;
        }

        string compressed = output.ToString();
        return CreateResult(compressed, originalTokens, cl100k.CountTokens(compressed), cl100k.EncodingName, budget, options, words, kept, chunks.Count, started, scoringStarted, selectionStarted);
    }

    private static PromptCompressionResult CreateResult(
        string compressed,
        int originalTokens,
        int compressedTokens,
        string encodingName,
        int budget,
        PromptCompressionOptions options,
        List<WordSpan> words,
        ReadOnlySpan<bool> kept,
        int chunks,
        long started,
        long scoringStarted,
        long selectionStarted) => new()
        {
            Text = compressed,
            OriginalTokens = originalTokens,
            CompressedTokens = compressedTokens,
            EncodingName = encodingName,
            TargetTokens = budget,
            BudgetFeasible = compressedTokens <= budget,
            Words = options.IncludeWordLabels ? words : [],
            Kept = options.IncludeWordLabels ? kept.ToArray() : [],
            Chunks = chunks,
            Timings = new PromptCompressionTimings(
                Stopwatch.GetElapsedTime(started, scoringStarted),
                Stopwatch.GetElapsedTime(scoringStarted, selectionStarted),
                Stopwatch.GetElapsedTime(selectionStarted)),
        };

    /// <summary>The reference weighs a word by the cl100k length of its piece string, <c>▁</c> prefix included.</summary>
    private static int ReferenceWordWeight(TiktokenTokenCounter cl100k, string text, WordSpan word)
    {
        ReadOnlySpan<char> core = word.Core(text);
        if (word.CoreStart == word.Start || (word.Traits & WordTraits.Forced) != 0 || core.Length > 256)
        {
            return Math.Max(1, cl100k.CountTokens(core));
        }

        Span<char> piece = stackalloc char[core.Length + 1];
        piece[0] = '\u2581';
        core.CopyTo(piece[1..]);
        return cl100k.CountTokens(piece);
    }

    private List<WordScoringChunk> BuildChunks(string text, List<WordSpan> words, int[] weights, float[] probabilities, string? question, bool isReference)
    {
        var chunks = new List<WordScoringChunk>();
        int maxTokens = isReference && Scorer.MaxChunkTokens == 0 ? 510 : Scorer.MaxChunkTokens;
        ReadOnlyMemory<WordSpan> all = CollectionsMarshal.AsSpan(words).ToArray();
        if (maxTokens <= 0 || words.Count == 0)
        {
            chunks.Add(new WordScoringChunk(text, all, probabilities.AsMemory(0, words.Count), question));
            return chunks;
        }

        ITokenCounter? chunkCounter = Scorer.ChunkTokenCounter;
        ReadOnlySpan<WordSpan> span = all.Span;
        int start = 0;
        while (start < span.Length)
        {
            int end = start;
            int tokens = 0;
            while (end < span.Length)
            {
                int weight = chunkCounter is null ? weights[end] : chunkCounter.CountTokens(span[end].Slice(text));
                if (tokens + weight > maxTokens && end > start)
                {
                    break;
                }

                tokens += weight;
                end++;
            }

            if (end < span.Length)
            {
                // Cut after the last sentence end in the window, walking backwards, as the reference does.
                for (int w = end - 1; w > start; w--)
                {
                    if (IsChunkEnd(text, span[w], isReference))
                    {
                        end = w + 1;
                        break;
                    }
                }
            }

            chunks.Add(new WordScoringChunk(text, all[start..end], probabilities.AsMemory(start, end - start), question));
            start = end;
        }

        return chunks;
    }

    private static bool IsChunkEnd(string text, WordSpan word, bool isReference)
    {
        ReadOnlySpan<char> core = word.Core(text);
        if (isReference)
        {
            foreach (string end in s_referenceChunkEnds)
            {
                if (core.SequenceEqual(end))
                {
                    return true;
                }
            }

            return false;
        }

        return (word.Traits & WordTraits.Punctuation) != 0 && core.ContainsAny(".?!\n\u3002");
    }

    private static void MarkForced(string text, Span<WordSpan> words, IReadOnlyList<string> forceTokens, bool forceDigits)
    {
        if (forceDigits)
        {
            for (int w = 0; w < words.Length; w++)
            {
                if ((words[w].Traits & WordTraits.Digit) != 0)
                {
                    words[w] = words[w].With(WordTraits.Forced);
                }
            }
        }

        foreach (string token in forceTokens)
        {
            if (string.IsNullOrWhiteSpace(token))
            {
                continue; // line structure is kept by the text builder; whitespace force tokens need no words
            }

            // Every word overlapping an occurrence is kept, so a force token never comes out partial.
            int from = 0;
            int w = 0;
            while (from < text.Length)
            {
                int found = text.AsSpan(from).IndexOf(token, StringComparison.Ordinal);
                if (found < 0)
                {
                    break;
                }

                int start = from + found;
                int end = start + token.Length;
                while (w < words.Length && words[w].End <= start)
                {
                    w++;
                }

                for (int k = w; k < words.Length && words[k].CoreStart < end; k++)
                {
                    words[k] = words[k].With(WordTraits.Forced);
                }

                from = end;
            }
        }
    }

    /// <summary>Marks a forced word that repeats the previous forced word with no other word between as not forced.</summary>
    private static void DropConsecutiveForced(string text, ReadOnlySpan<WordSpan> words, Span<bool> demoted)
    {
        int previous = -1;
        for (int w = 0; w < words.Length; w++)
        {
            if ((words[w].Traits & WordTraits.Forced) == 0)
            {
                previous = -1;
                continue;
            }

            if (previous >= 0 && words[w].Core(text).SequenceEqual(words[previous].Core(text)) && (words[w].Traits & WordTraits.Digit) == 0)
            {
                demoted[w] = true;
            }

            previous = w;
        }
    }

    private static PromptCompressionResult Unchanged(string text, int tokens, int budget, string encodingName, PromptCompressionOptions options, TimeSpan elapsed)
    {
        List<WordSpan> words = [];
        if (options.IncludeWordLabels && text.Length > 0)
        {
            WordSplitter.Split(text, words);
        }

        return new PromptCompressionResult
        {
            Text = text,
            OriginalTokens = tokens,
            CompressedTokens = tokens,
            EncodingName = encodingName,
            TargetTokens = budget,
            BudgetFeasible = true,
            Words = words,
            Kept = Enumerable.Repeat(true, words.Count).ToArray(),
            Chunks = text.Length == 0 ? 0 : 1,
            Timings = new PromptCompressionTimings(elapsed, TimeSpan.Zero, TimeSpan.Zero),
        };
    }

    [LoggerMessage(LogLevel.Debug, "Compressed a prompt from {OriginalTokens} to {CompressedTokens} tokens (budget {Budget}) in {ElapsedMs:F1} ms.")]
    private partial void LogCompressed(int originalTokens, int compressedTokens, int budget, double elapsedMs);

    [LoggerMessage(LogLevel.Debug, "Budget of {Budget} tokens not met: force-kept words alone need {CompressedTokens}.")]
    private partial void LogInfeasible(int budget, int compressedTokens);
}
