using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ContextPress.Predictor.Tokenization;
using ContextPress.Scoring;
using ContextPress.Text;
using ContextPress.Tokens;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorchSharp;
using static TorchSharp.torch;

namespace ContextPress.Predictor.Scoring;

/// <summary>
/// LLMLingua's self-information scorer over a local <see cref="CausalLM"/>: a word's information is the sum of its tokens'
/// surprisal −log p(token | prefix) under the model, and its keep probability rises with that information.
/// </summary>
/// <remarks>
/// <para>
/// Tokenization is word-aligned: each word is encoded on its own (<see cref="IPromptTokenizer.EncodeWord"/>), the
/// pieces are concatenated after BOS, and one forward pass gives every token's log-probability given all words before
/// it. Without a BOS, the first token's surprisal is that of a uniform guess (ln vocab).
/// </para>
/// <para>
/// Question conditioning is LongLLMLingua's contrastive perplexity: when a chunk carries a question and
/// <see cref="CausalLmScorerOptions.QuestionWeight"/> is positive, the chunk is scored a second time with the question's
/// tokens between BOS and the text, and a word's information becomes <c>s + w · (s − s|q)</c>: words the question makes
/// more predictable (those it is about) gain. Prepending the question alone would do the opposite.
/// </para>
/// <para>
/// Keep probability: the words of a chunk are ranked by information (ties share their mean rank) and word <c>r</c> of
/// <c>n</c> (0-based, ascending) gets <c>(r + 0.5) / n</c> — monotone in surprisal, uniform in [0, 1] within every chunk,
/// independent of the model's overall perplexity, so the compressor's budget selection behaves the same for any model.
/// </para>
/// <para>Calls are serialized (one forward at a time per scorer); every forward runs in its own dispose scope.</para>
/// </remarks>
public sealed partial class CausalLmScorer : ITokenScorer
{
    private readonly CausalLM _model;
    private readonly IPromptTokenizer _tokenizer;
    private readonly CausalLmScorerOptions _options;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly int _maxQuestionTokens;

    /// <summary>Initializes a new instance of the <see cref="CausalLmScorer"/> class.</summary>
    /// <param name="model">The language model; the scorer does not dispose it.</param>
    /// <param name="tokenizer">The model's tokenizer.</param>
    /// <param name="options">Settings; defaults when null.</param>
    /// <param name="logger">Receives a debug line per call.</param>
    public CausalLmScorer(CausalLM model, IPromptTokenizer tokenizer, CausalLmScorerOptions? options = null, ILogger<CausalLmScorer>? logger = null)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
        _tokenizer = tokenizer ?? throw new ArgumentNullException(nameof(tokenizer));
        _options = (options ?? new CausalLmScorerOptions()).Validate();
        _logger = logger ?? (ILogger)NullLogger.Instance;

        // Room in the model's context: BOS + question + chunk.
        var context = model.Config.MaxPositionEmbeddings - 1;
        _maxQuestionTokens = _options.QuestionWeight > 0 ? Math.Min(_options.MaxQuestionTokens, context / 4) : 0;
        MaxChunkTokens = Math.Min(_options.MaxChunkTokens, context - _maxQuestionTokens);
        var name = _options.ModelName ?? model.Config.ModelType;
        ModelDigest = ComputeModelDigest(model);
        ChunkTokenCounter = new PromptTokenCounter(tokenizer, $"{name}/{ModelDigest}");
        Fingerprint = FormattableString.Invariant(
            $"causal-lm/v1/{name}/{model.DType}/{ModelDigest}/chunk{MaxChunkTokens}/q{_options.QuestionWeight:R}x{_maxQuestionTokens}");
    }

    /// <inheritdoc />
    public string Fingerprint { get; }

    /// <inheritdoc />
    public int MaxChunkTokens { get; }

    /// <inheritdoc />
    public ITokenCounter? ChunkTokenCounter { get; }

    /// <summary>Gets a digest of the model's config and a sample of every parameter (16 hex digits).</summary>
    public string ModelDigest { get; }

    /// <inheritdoc />
    public ValueTask ScoreAsync(IReadOnlyList<WordScoringChunk> chunks, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            Score(chunks, cancellationToken);
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Each word's information in nats (surprisal summed over its tokens, plus the contrastive question term when the
    /// chunk has a question), one array per chunk. This is what <see cref="ScoreAsync"/> ranks.
    /// </summary>
    /// <param name="chunks">The chunks.</param>
    /// <param name="cancellationToken">Cancels between forward passes.</param>
    /// <returns>One value per word, per chunk.</returns>
    public IReadOnlyList<float[]> ComputeWordInformation(IReadOnlyList<WordScoringChunk> chunks, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        lock (_gate)
        {
            return ComputeInformation(chunks, cancellationToken);
        }
    }

    private void Score(IReadOnlyList<WordScoringChunk> chunks, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var information = ComputeInformation(chunks, cancellationToken);
        for (var c = 0; c < chunks.Count; c++)
        {
            RankToProbabilities(information[c], chunks[c].Probabilities.Span);
        }
        LogScored(chunks.Count, information.Sum(i => i.Length), Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    private float[][] ComputeInformation(IReadOnlyList<WordScoringChunk> chunks, CancellationToken cancellationToken)
    {
        // One row per window of a chunk (a chunk longer than the window is cut at word ends); with a question, a second row.
        var rows = new List<Row>();
        var results = new float[chunks.Count][];
        var encoded = new int[chunks.Count][][];
        for (var c = 0; c < chunks.Count; c++)
        {
            var chunk = chunks[c];
            results[c] = new float[chunk.Words.Length];
            var words = encoded[c] = EncodeWords(chunk);
            var question = _maxQuestionTokens > 0 && !string.IsNullOrWhiteSpace(chunk.Question)
                ? _tokenizer.Encode(chunk.Question, addBos: false).Take(_maxQuestionTokens).ToArray()
                : null;
            var window = _model.Config.MaxPositionEmbeddings - 1 - (question?.Length ?? 0);
            var start = 0;
            while (start < words.Length)
            {
                var end = start;
                var tokens = 0;
                while (end < words.Length && (end == start || tokens + words[end].Length <= window))
                {
                    tokens += words[end].Length;
                    end++;
                }
                var windowWords = words[start..end];
                var contrasted = question is { Length: > 0 };
                rows.Add(new Row(c, start, windowWords, [], Weight: contrasted ? 1 + _options.QuestionWeight : 1));
                if (contrasted)
                {
                    rows.Add(new Row(c, start, windowWords, question!, Weight: -_options.QuestionWeight));
                }
                start = end;
            }
        }

        for (var first = 0; first < rows.Count; first += _options.MaxBatchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = rows.GetRange(first, Math.Min(_options.MaxBatchSize, rows.Count - first));
            var logProbs = LogProbabilities(batch);
            for (var b = 0; b < batch.Count; b++)
            {
                var row = batch[b];
                var target = results[row.Chunk];
                var offset = logProbs[b].Length - row.Words.Sum(w => w.Length); // log-probs of the text's tokens come last
                for (var w = 0; w < row.Words.Length; w++)
                {
                    var surprisal = 0f;
                    for (var t = 0; t < row.Words[w].Length; t++, offset++)
                    {
                        surprisal -= offset >= 0 ? logProbs[b][offset] : -MathF.Log(_model.Config.VocabSize);
                    }
                    // The plain row adds (1 + w)·s, the question row −w·s|q: together s + w(s − s|q).
                    target[row.FirstWord + w] += row.Weight * surprisal;
                }
            }
        }

        // Words with no tokens (characters the vocabulary drops) take their chunk's mean.
        for (var c = 0; c < chunks.Count; c++)
        {
            var words = encoded[c];
            var mean = results[c].Where((_, w) => words[w].Length > 0).DefaultIfEmpty(0f).Average();
            for (var w = 0; w < words.Length; w++)
            {
                if (words[w].Length == 0)
                {
                    results[c][w] = mean;
                }
            }
        }
        return results;
    }

    private int[][] EncodeWords(WordScoringChunk chunk)
    {
        var text = chunk.Text;
        var spans = chunk.Words.Span;
        var words = new int[spans.Length][];
        for (var w = 0; w < spans.Length; w++)
        {
            var span = spans[w];
            words[w] = [.. _tokenizer.EncodeWord(text[span.Start..span.CoreStart], text[span.CoreStart..span.End])];
        }
        return words;
    }

    /// <summary>
    /// Runs a left-padded batch and returns, per row, log p(token[i] | tokens[..i]) for i = 1..T-1 of that row's sequence
    /// (BOS, question, text).
    /// </summary>
    private float[][] LogProbabilities(List<Row> batch)
    {
        var sequences = batch.Select(r => Sequence(r)).ToArray();
        var longest = sequences.Max(s => s.Length);
        var results = new float[batch.Count][];
        if (longest < 2)
        {
            return sequences.Select(_ => Array.Empty<float>()).ToArray();
        }

        var ids = new long[batch.Count * longest];
        var padding = new long[batch.Count];
        for (var b = 0; b < sequences.Length; b++)
        {
            padding[b] = longest - sequences[b].Length;
            for (var t = 0; t < sequences[b].Length; t++)
            {
                ids[(b * longest) + padding[b] + t] = sequences[b][t];
            }
        }

        using var scope = NewDisposeScope();
        using var grad = no_grad();
        var input = tensor(ids, [batch.Count, longest], ScalarType.Int64);
        var logits = _model.Forward(input, cache: null, lastPositionOnly: false, leftPadding: padding.Any(p => p > 0) ? padding : null);
        var targets = input.narrow(1, 1, longest - 1).unsqueeze(-1).to(logits.device);
        var gathered = logits.narrow(1, 0, longest - 1).log_softmax(-1).gather(2, targets).squeeze(-1).cpu();
        var all = gathered.data<float>().ToArray();
        for (var b = 0; b < batch.Count; b++)
        {
            // Row b's predictions start at its first real token (padding[b]); it has length - 1 of them.
            results[b] = all.AsSpan((b * (longest - 1)) + (int)padding[b], sequences[b].Length - 1).ToArray();
        }
        return results;
    }

    private long[] Sequence(Row row)
    {
        var sequence = new List<long>();
        if (_tokenizer.BosTokenId is { } bos)
        {
            sequence.Add(bos);
        }
        sequence.AddRange(row.Question.Select(i => (long)i));
        foreach (var word in row.Words)
        {
            sequence.AddRange(word.Select(i => (long)i));
        }
        return [.. sequence];
    }

    /// <summary>Writes (rank + 0.5) / n per word, ranks ascending in information, ties sharing their mean rank.</summary>
    internal static void RankToProbabilities(ReadOnlySpan<float> information, Span<float> probabilities)
    {
        var n = information.Length;
        var order = new int[n];
        for (var i = 0; i < n; i++)
        {
            order[i] = i;
        }
        var values = information.ToArray();
        Array.Sort(order, (a, b) => values[a] != values[b] ? values[a].CompareTo(values[b]) : a.CompareTo(b));
        for (var i = 0; i < n;)
        {
            var j = i;
            while (j + 1 < n && values[order[j + 1]] == values[order[i]])
            {
                j++;
            }
            var p = (((i + j) / 2f) + 0.5f) / n;
            for (var k = i; k <= j; k++)
            {
                probabilities[order[k]] = p;
            }
            i = j + 1;
        }
    }

    private static string ComputeModelDigest(CausalLM model)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(model.Config)));
        using var scope = NewDisposeScope();
        using var grad = no_grad();
        foreach (var (name, parameter) in model.named_parameters())
        {
            hash.AppendData(Encoding.UTF8.GetBytes(name));
            var flat = parameter.flatten();
            var sample = flat.narrow(0, 0, Math.Min(256, flat.shape[0])).to_type(ScalarType.Float32).cpu();
            hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(sample.data<float>().ToArray().AsSpan()));
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset())[..16];
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Scored {Chunks} chunks, {Words} words in {Milliseconds:F1} ms")]
    private partial void LogScored(int chunks, int words, double milliseconds);

    private sealed record Row(int Chunk, int FirstWord, int[][] Words, int[] Question, float Weight);
}
