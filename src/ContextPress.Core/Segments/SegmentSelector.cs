using System.Text;
using ContextPress.Compression.Json;
using ContextPress.Scoring;

namespace ContextPress.Segments;

/// <summary>
/// Query-aware selection on top of cached segment compression: ranks segments by relevance to a question (BM25 over
/// the question's content words, measured on the original segment text) and keeps the best that fit a token budget,
/// in document order. Cheap and uncached, so the cached compressions stay query-agnostic.
/// </summary>
public static class SegmentSelector
{
    private const double K1 = 1.2;
    private const double B = 0.75;

    /// <summary>Keeps the segments of <paramref name="compressed"/> most relevant to <paramref name="question"/> within <paramref name="tokenBudget"/>.</summary>
    /// <param name="compressed">A segment compression.</param>
    /// <param name="question">The question or task.</param>
    /// <param name="tokenBudget">The most output tokens (sum of the kept segments' tokens).</param>
    /// <returns>The kept segments, in document order. Segments with no question term fill any budget left, earliest first.</returns>
    public static SegmentSelectionResult Select(SegmentCompressionResult compressed, string question, int tokenBudget)
    {
        ArgumentNullException.ThrowIfNull(compressed);
        ArgumentNullException.ThrowIfNull(question);
        ArgumentOutOfRangeException.ThrowIfNegative(tokenBudget);

        IReadOnlyList<SegmentOutcome> segments = compressed.Segments;
        double[] scores = Score(segments, question);
        int[] order = Enumerable.Range(0, segments.Count).OrderByDescending(i => scores[i]).ThenBy(i => i).ToArray();
        var keep = new bool[segments.Count];
        int tokens = 0;
        foreach (int i in order)
        {
            if (tokens + segments[i].Tokens <= tokenBudget)
            {
                keep[i] = true;
                tokens += segments[i].Tokens;
            }
        }

        var selected = new List<int>();
        for (int i = 0; i < keep.Length; i++)
        {
            if (keep[i])
            {
                selected.Add(i);
            }
        }

        return new SegmentSelectionResult
        {
            Text = Assemble(compressed, selected),
            SelectedIndices = selected,
            Scores = scores,
            Tokens = tokens,
            Compression = compressed,
        };
    }

    private static double[] Score(IReadOnlyList<SegmentOutcome> segments, string question)
    {
        var scores = new double[segments.Count];
        HashSet<string> terms = Terms(question).ToHashSet(StringComparer.Ordinal);
        if (terms.Count == 0 || segments.Count == 0)
        {
            return scores;
        }

        var frequencies = new Dictionary<string, int>[segments.Count];
        var documentFrequency = new Dictionary<string, int>(StringComparer.Ordinal);
        double averageLength = 0;
        for (int i = 0; i < segments.Count; i++)
        {
            var tf = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (string term in Terms(segments[i].Segment.Text))
            {
                if (terms.Contains(term))
                {
                    tf[term] = tf.GetValueOrDefault(term) + 1;
                }
            }

            foreach (string term in tf.Keys)
            {
                documentFrequency[term] = documentFrequency.GetValueOrDefault(term) + 1;
            }

            frequencies[i] = tf;
            averageLength += Math.Max(1, segments[i].Segment.Tokens);
        }

        averageLength /= segments.Count;
        for (int i = 0; i < segments.Count; i++)
        {
            double length = Math.Max(1, segments[i].Segment.Tokens);
            double score = 0;
            foreach ((string term, int tf) in frequencies[i])
            {
                int df = documentFrequency[term];
                double idf = Math.Log(1 + ((segments.Count - df + 0.5) / (df + 0.5)));
                score += idf * (tf * (K1 + 1)) / (tf + (K1 * (1 - B + (B * length / averageLength))));
            }

            scores[i] = score;
        }

        return scores;
    }

    /// <summary>Lower-cased runs of letters and digits, without function words and single letters.</summary>
    private static IEnumerable<string> Terms(string text)
    {
        int i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && !char.IsLetterOrDigit(text[i]))
            {
                i++;
            }

            int start = i;
            while (i < text.Length && char.IsLetterOrDigit(text[i]))
            {
                i++;
            }

            if (i - start < 2)
            {
                continue;
            }

            string term = text[start..i].ToLowerInvariant();
            if (!FunctionWords.Contains(term))
            {
                yield return term;
            }
        }
    }

    private static string Assemble(SegmentCompressionResult compressed, List<int> selected)
    {
        SegmentedDocument document = compressed.Document;
        var builder = new StringBuilder();
        builder.Append(document.Layout == SegmentLayout.Text ? string.Empty : document.Prefix);
        for (int k = 0; k < selected.Count; k++)
        {
            SegmentOutcome outcome = compressed.Segments[selected[k]];
            builder.Append(outcome.Segment.Prefix).Append(outcome.Text);
            if (k + 1 < selected.Count)
            {
                builder.Append(document.Layout == SegmentLayout.Text ? outcome.Segment.Separator : ",");
            }
        }

        int omitted = compressed.Segments.Count - selected.Count;
        if (document.Layout == SegmentLayout.JsonArray && omitted > 0)
        {
            builder.Append(selected.Count > 0 ? "," : string.Empty)
                .Append('"').Append(StructuredJsonCompressor.FormatOmittedItemsMarker(omitted)).Append('"');
        }

        builder.Append(document.Layout == SegmentLayout.Text ? string.Empty : document.Suffix);
        return builder.ToString();
    }
}
