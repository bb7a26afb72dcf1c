using System.Collections.Concurrent;
using ContextPress.Text;
using ContextPress.Tokens;

namespace ContextPress.Scoring;

/// <summary>
/// The embedded default <see cref="ITokenScorer"/>: no model file, CPU only, about a microsecond per word.
/// A word's keep probability combines its self-information, estimated from the tokenizer's BPE merge ranks,
/// with structure cues: numbers, identifiers, URLs and names score high; function words and filler punctuation low.
/// </summary>
/// <remarks>
/// <para>
/// Self-information: BPE merges pairs in order of corpus frequency, so a token's rank r approximates its frequency
/// rank, and by Zipf's law its probability is about 1/(r·H), giving -log p ≈ log r + const. A word's information is
/// the sum over its tokens (lower-cased, with the leading space it has mid-sentence): common words are one low-rank
/// token (" the" ≈ 8 bits), rare names and codes several high-rank tokens (30+ bits). This is what LLMLingua's
/// small-LM perplexity measures, from a statistic every tokenizer already ships.
/// </para>
/// <para>
/// Information per distinct word is cached (agent histories repeat their vocabulary), so scoring costs a hash
/// lookup per word. When the chunk carries a question, words that occur in it score higher (LongLLMLingua-style
/// conditioning; LLMLingua-2 itself is query-agnostic).
/// </para>
/// </remarks>
public sealed class StatisticalTokenScorer : ITokenScorer
{
    private const int MaxCachedWordLength = 40;
    private const int MaxCacheEntries = 1 << 18;

    // Logit = (information - Center) / Scale + cues; the constants put a frequent content word near 0.5.
    private const float InformationCenter = 15f;
    private const float InformationScale = 5f;

    private static readonly Lazy<StatisticalTokenScorer> s_default = new(() => new StatisticalTokenScorer(TiktokenTokenCounter.O200k));

    private static QuestionWordSet? s_lastQuestion;

    private readonly TiktokenTokenCounter _counter;
    private readonly ConcurrentDictionary<string, float> _information = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, float>.AlternateLookup<ReadOnlySpan<char>> _informationLookup;

    /// <summary>Initializes a new instance of the <see cref="StatisticalTokenScorer"/> class.</summary>
    /// <param name="counter">The tiktoken vocabulary whose merge ranks estimate word frequency.</param>
    public StatisticalTokenScorer(TiktokenTokenCounter counter)
    {
        ArgumentNullException.ThrowIfNull(counter);
        _counter = counter;
        _informationLookup = _information.GetAlternateLookup<ReadOnlySpan<char>>();
        Fingerprint = $"statistical/v1/{counter.EncodingName}";
    }

    /// <summary>Gets the shared scorer over o200k_base ranks.</summary>
    public static StatisticalTokenScorer Default => s_default.Value;

    /// <inheritdoc />
    public string Fingerprint { get; }

    /// <inheritdoc />
    public int MaxChunkTokens => 0;

    /// <inheritdoc />
    public ITokenCounter? ChunkTokenCounter => null;

    /// <inheritdoc />
    public ValueTask ScoreAsync(IReadOnlyList<WordScoringChunk> chunks, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        foreach (WordScoringChunk chunk in chunks)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Score(chunk);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Scores one chunk synchronously.</summary>
    /// <param name="chunk">The chunk.</param>
    public void Score(WordScoringChunk chunk)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        ReadOnlySpan<char> text = chunk.Text;
        ReadOnlySpan<WordSpan> words = chunk.Words.Span;
        Span<float> logits = chunk.Probabilities.Span;
        HashSet<string>? questionWords = QuestionWords(chunk.Question);
        HashSet<string>.AlternateLookup<ReadOnlySpan<char>> questionLookup = questionWords is null ? default : questionWords.GetAlternateLookup<ReadOnlySpan<char>>();
        float[]? questionOverlap = questionWords is null ? null : new float[words.Length];

        Span<char> lower = stackalloc char[MaxCachedWordLength + 1];
        int sentenceStart = 0;
        int sentenceInParagraph = 0;
        float overlap = 0;
        for (int w = 0; w < words.Length; w++)
        {
            WordSpan word = words[w];
            if ((word.Traits & WordTraits.LineStart) != 0 && w > 0)
            {
                EndSentence(logits, questionOverlap, sentenceStart, w, sentenceInParagraph, overlap);
                sentenceStart = w;
                sentenceInParagraph = 0;
                overlap = 0;
            }

            ReadOnlySpan<char> core = word.Core(text);
            if ((word.Traits & WordTraits.Punctuation) != 0)
            {
                logits[w] = PunctuationLogit(core);
                if (core.ContainsAny(".?!\u3002\uFF1F\uFF01"))
                {
                    EndSentence(logits, questionOverlap, sentenceStart, w + 1, sentenceInParagraph, overlap);
                    sentenceStart = w + 1;
                    sentenceInParagraph++;
                    overlap = 0;
                }
            }
            else if (core.Length > MaxCachedWordLength)
            {
                logits[w] = 3f; // long runs are identifiers, hashes or rare compounds
            }
            else
            {
                lower[0] = ' ';
                int length = core.ToLowerInvariant(lower[1..]);
                ReadOnlySpan<char> key = (word.Traits & WordTraits.Cjk) != 0 ? lower.Slice(1, length) : lower[..(length + 1)];
                logits[w] = WordLogit(word.Traits, key);
                if (questionWords is not null && questionLookup.Contains(lower.Slice(1, length)))
                {
                    overlap += Information(key);
                }
            }
        }

        EndSentence(logits, questionOverlap, sentenceStart, words.Length, sentenceInParagraph, overlap);
        BridgeNames(text, words, logits);
        if (questionOverlap is not null)
        {
            BoostRelevantSentences(logits, questionOverlap);
        }

        for (int w = 0; w < logits.Length; w++)
        {
            logits[w] = 1f / (1f + MathF.Exp(-logits[w]));
        }
    }

    /// <summary>
    /// Closes a sentence: the first sentences of a paragraph carry its topic (the lead), so they get a small boost;
    /// and its overlap with the question is recorded for every word.
    /// </summary>
    private static void EndSentence(Span<float> logits, float[]? questionOverlap, int start, int end, int sentenceInParagraph, float overlap)
    {
        float lead = sentenceInParagraph switch { 0 => 0.6f, 1 => 0.3f, _ => 0f };
        for (int w = start; w < end; w++)
        {
            logits[w] += lead;
            if (questionOverlap is not null)
            {
                questionOverlap[w] = overlap;
            }
        }
    }

    /// <summary>
    /// Keeps multi-word names whole: a capitalised word starting a sentence gets the name boost when a capitalised
    /// word follows, and up to two function words between capitalised words (<c>Prince of Wales</c>,
    /// <c>Sleeping with the Past</c>) score as the name does.
    /// </summary>
    private static void BridgeNames(ReadOnlySpan<char> text, ReadOnlySpan<WordSpan> words, Span<float> logits)
    {
        for (int w = 0; w + 1 < words.Length; w++)
        {
            if (!IsCapitalized(words[w]))
            {
                continue;
            }

            if (IsCapitalized(words[w + 1]) && (words[w].Traits & (WordTraits.SentenceStart | WordTraits.LineStart)) != 0)
            {
                logits[w] += 1.5f;
            }

            int next = w + 1;
            while (next < words.Length && next - w <= 2 && IsBridge(text, words[next]))
            {
                next++;
            }

            if (next > w + 1 && next < words.Length && IsCapitalized(words[next]))
            {
                float name = MathF.Min(logits[w], logits[next]);
                for (int b = w + 1; b < next; b++)
                {
                    logits[b] = MathF.Max(logits[b], name);
                }
            }
        }
    }

    /// <summary>A capitalised word that looks like part of a name, not a code (<c>UM3OG5</c>) or a punctuation run.</summary>
    private static bool IsCapitalized(WordSpan word) =>
        (word.Traits & (WordTraits.Capitalized | WordTraits.Punctuation | WordTraits.Digit | WordTraits.InnerUpper | WordTraits.Joined)) == WordTraits.Capitalized;

    /// <summary>The short words that occur inside names and titles (<c>of</c>, <c>de</c>, <c>von</c>, <c>with the</c>).</summary>
    private static bool IsBridge(ReadOnlySpan<char> text, WordSpan word) =>
        word.CoreStart - word.Start == 1 && (word.Traits & WordTraits.Capitalized) == 0 && word.Core(text) is
            "of" or "the" or "de" or "la" or "le" or "du" or "von" or "van" or "der" or "den" or "da" or "di" or "del"
            or "and" or "for" or "with" or "in" or "on" or "at" or "upon" or "a" or "an" or "&";

    /// <summary>LongLLMLingua-style coarse conditioning: sentences that share rare words with the question are kept preferentially.</summary>
    private static void BoostRelevantSentences(Span<float> logits, float[] questionOverlap)
    {
        float best = 0;
        foreach (float overlap in questionOverlap)
        {
            best = MathF.Max(best, overlap);
        }

        if (best <= 0)
        {
            return;
        }

        for (int w = 0; w < logits.Length; w++)
        {
            logits[w] += 1f * questionOverlap[w] / best;
        }
    }

    private float WordLogit(WordTraits traits, ReadOnlySpan<char> spacedLowerCore)
    {
        if ((traits & (WordTraits.Digit | WordTraits.Letter)) == WordTraits.Letter && FunctionWords.Contains(spacedLowerCore.TrimStart(' ')))
        {
            return -3f;
        }

        float logit = (Information(spacedLowerCore) - InformationCenter) / InformationScale;
        if ((traits & WordTraits.Digit) != 0)
        {
            logit += 3f;
        }

        if ((traits & (WordTraits.Url | WordTraits.InnerUpper)) != 0 || (traits & (WordTraits.Joined | WordTraits.Digit)) == (WordTraits.Joined | WordTraits.Digit))
        {
            logit += 4f;
        }
        else if ((traits & WordTraits.Joined) != 0)
        {
            logit += 1.5f;
        }

        if ((traits & WordTraits.Capitalized) != 0)
        {
            // A capital mid-sentence marks a name; at a sentence start it says little.
            logit += (traits & (WordTraits.SentenceStart | WordTraits.LineStart)) != 0 ? 0.5f : 2f;
        }

        return logit;
    }

    private float Information(ReadOnlySpan<char> key)
    {
        if (_informationLookup.TryGetValue(key, out float bits))
        {
            return bits;
        }

        bits = 0f;
        foreach (int id in _counter.Tokenizer.EncodeToIds(key))
        {
            bits += MathF.Log2(id + 2f);
        }

        if (_information.Count >= MaxCacheEntries)
        {
            _information.Clear();
        }

        _informationLookup.TryAdd(key, bits);
        return bits;
    }

    private static float PunctuationLogit(ReadOnlySpan<char> core)
    {
        // Structure that a reader (or a JSON parser) needs scores high; separators and decoration low.
        if (core.ContainsAny("{}[]\"`"))
        {
            return 1f;
        }

        if (core.ContainsAny(".?!\u3002\uFF1F\uFF01"))
        {
            return 0f;
        }

        if (core.ContainsAny("=<>+*/%$\u20AC\u00A3"))
        {
            return 0.5f;
        }

        if (core.Length > 0 && char.IsSurrogate(core[0]))
        {
            return 0f; // emoji and other astral symbols
        }

        return core.ContainsAny(":()") ? -1f : -2f;
    }

    private static HashSet<string>? QuestionWords(string? question)
    {
        if (string.IsNullOrWhiteSpace(question))
        {
            return null;
        }

        // A history compressor asks the same question of every string it compresses: split it once.
        QuestionWordSet? last = Volatile.Read(ref s_lastQuestion);
        if (last is not null && string.Equals(last.Question, question, StringComparison.Ordinal))
        {
            return last.Words;
        }

        HashSet<string> set = SplitQuestion(question);
        Volatile.Write(ref s_lastQuestion, new QuestionWordSet(question, set));
        return set;
    }

    private static HashSet<string> SplitQuestion(string question)
    {
        var words = new List<WordSpan>();
        WordSplitter.Split(question, words);
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (WordSpan word in words)
        {
            if ((word.Traits & WordTraits.Punctuation) != 0)
            {
                continue;
            }

            string lower = word.Core(question).ToString().ToLowerInvariant();
            if (!FunctionWords.Contains(lower))
            {
                set.Add(lower);
            }
        }

        return set;
    }

    /// <summary>The words of the last question, only read once built (concurrent reads of a set are safe).</summary>
    private sealed record QuestionWordSet(string Question, HashSet<string> Words);
}
