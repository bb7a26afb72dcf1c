using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using ContextPress.Compression;
using ContextPress.Scoring;
using ContextPress.Tokens;

namespace ContextPress.Evals.Research;

/// <summary>One example: a context, the strings that must survive, the question it serves.</summary>
internal sealed record RetentionExample(string Context, IReadOnlyList<string> Targets, string? Question, RetentionRule Rule);

internal enum RetentionRule
{
    /// <summary>Kept when any target survives (after SQuAD normalization).</summary>
    AnyTarget,

    /// <summary>The share of the targets (numbers, as a multiset) that survive.</summary>
    ShareOfNumbers,

    /// <summary>Kept when every target survives verbatim (a key and its value).</summary>
    AllVerbatim,
}

/// <summary>Retention of one data set with one method at one rate.</summary>
internal sealed record RetentionPoint(string DataSet, string Method, double Rate, int Examples, double Retention, double AchievedRate);

/// <summary>
/// Answer / supporting-fact retention against rate on the research-data sets (NQ-open oracle, HotpotQA supporting facts,
/// the GSM8K CoT prompt, kv-retrieval), for every scorer available (today only the embedded <see cref="StatisticalTokenScorer"/>).
/// Ported from <c>evals/ContextPress.Benchmarks/RetentionEvaluation.cs</c>; kv-retrieval is new.
/// </summary>
internal static partial class PromptRetention
{
    public static IReadOnlyList<(string Name, ITokenScorer Scorer)> Scorers { get; } = [("StatisticalTokenScorer", StatisticalTokenScorer.Default)];

    public static async Task<List<RetentionPoint>> RunAsync(string dataDirectory, IReadOnlyList<double> rates, int limit, ITokenCounter counter, CancellationToken cancellationToken)
    {
        var sets = new (string Name, List<RetentionExample> Examples)[]
        {
            ("NQ-open oracle", NaturalQuestions(dataDirectory, limit)),
            ("HotpotQA supporting facts", HotpotQa(dataDirectory, limit)),
            ("GSM8K CoT prompt numbers", Gsm8kPrompt(dataDirectory)),
            ("kv-retrieval (75 keys)", KvRetrieval(dataDirectory, Math.Max(10, limit / 5))),
        };
        var points = new List<RetentionPoint>();
        foreach ((string scorerName, ITokenScorer scorer) in Scorers)
        {
            var compressor = new PromptCompressor(scorer, counter);
            foreach ((string name, List<RetentionExample> examples) in sets)
            {
                foreach (double rate in rates)
                {
                    points.Add(await MeasureAsync(name, scorerName, examples, rate, counter, e => compressor.CompressAsync(e.Context, new PromptCompressionOptions { Rate = rate, IncludeWordLabels = false }, cancellationToken)).ConfigureAwait(false));
                    points.Add(await MeasureAsync(name, scorerName + ", digits not forced", examples, rate, counter, e => compressor.CompressAsync(e.Context, new PromptCompressionOptions { Rate = rate, ForceReserveDigit = false, IncludeWordLabels = false }, cancellationToken)).ConfigureAwait(false));
                    if (examples.Any(e => e.Question is not null))
                    {
                        points.Add(await MeasureAsync(name, scorerName + " + question", examples, rate, counter, e => compressor.CompressAsync(e.Context, new PromptCompressionOptions { Rate = rate, Question = e.Question, IncludeWordLabels = false }, cancellationToken)).ConfigureAwait(false));
                    }
                }
            }
        }

        return points;
    }

    private static async Task<RetentionPoint> MeasureAsync(string set, string method, List<RetentionExample> examples, double rate, ITokenCounter counter, Func<RetentionExample, ValueTask<PromptCompressionResult>> compress)
    {
        double retained = 0;
        long before = 0;
        long after = 0;
        foreach (RetentionExample example in examples)
        {
            PromptCompressionResult result = await compress(example).ConfigureAwait(false);
            retained += Score(example, result.Text);
            before += counter.CountTokens(example.Context);
            after += counter.CountTokens(result.Text);
        }

        return new RetentionPoint(set, method, rate, examples.Count, examples.Count == 0 ? 0 : retained / examples.Count, before == 0 ? 0 : (double)after / before);
    }

    internal static double Score(RetentionExample example, string compressed)
    {
        switch (example.Rule)
        {
            case RetentionRule.AnyTarget:
                return example.Targets.Any(t => Contains(compressed, t)) ? 1 : 0;
            case RetentionRule.AllVerbatim:
                return example.Targets.All(t => compressed.Contains(t, StringComparison.Ordinal)) ? 1 : 0;
            default:
                var remaining = NumberPattern().Matches(compressed).GroupBy(m => m.Value).ToDictionary(g => g.Key, g => g.Count());
                int kept = 0;
                foreach (string target in example.Targets)
                {
                    if (remaining.TryGetValue(target, out int count) && count > 0)
                    {
                        remaining[target] = count - 1;
                        kept++;
                    }
                }

                return (double)kept / example.Targets.Count;
        }
    }

    private static List<RetentionExample> NaturalQuestions(string directory, int limit)
    {
        var examples = new List<RetentionExample>();
        using FileStream file = File.OpenRead(Path.Combine(directory, "lost-in-the-middle_nq-open-oracle.jsonl.gz"));
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        while (reader.ReadLine() is { } line && examples.Count < limit)
        {
            using JsonDocument doc = JsonDocument.Parse(line);
            string passage = doc.RootElement.GetProperty("ctxs")[0].GetProperty("text").GetString()!;
            var answers = doc.RootElement.GetProperty("answers").EnumerateArray().Select(a => a.GetString()!).Where(a => Contains(passage, a)).ToList();
            if (answers.Count > 0)
            {
                examples.Add(new RetentionExample(passage, answers, doc.RootElement.GetProperty("question").GetString(), RetentionRule.AnyTarget));
            }
        }

        return examples;
    }

    private static List<RetentionExample> HotpotQa(string directory, int limit)
    {
        var examples = new List<RetentionExample>();
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, "hotpotqa_dev_distractor_first100.json")));
        foreach (JsonElement item in doc.RootElement.EnumerateArray())
        {
            string answer = item.GetProperty("answer").GetString()!;
            JsonElement facts = item.GetProperty("supporting_facts");
            JsonElement context = item.GetProperty("context");
            var titles = context.GetProperty("title").EnumerateArray().Select(t => t.GetString()!).ToList();
            var sentences = context.GetProperty("sentences").EnumerateArray().Select(p => p.EnumerateArray().Select(x => x.GetString()!).ToList()).ToList();
            var factTitles = facts.GetProperty("title").EnumerateArray().Select(t => t.GetString()!).ToList();
            var factIds = facts.GetProperty("sent_id").EnumerateArray().Select(x => x.GetInt32()).ToList();
            var parts = new List<string>();
            for (int f = 0; f < factTitles.Count; f++)
            {
                int paragraph = titles.IndexOf(factTitles[f]);
                if (paragraph >= 0 && factIds[f] < sentences[paragraph].Count)
                {
                    parts.Add(sentences[paragraph][factIds[f]].Trim());
                }
            }

            string text = string.Join(" ", parts);
            if (answer is not ("yes" or "no") && Contains(text, answer))
            {
                examples.Add(new RetentionExample(text, [answer], item.GetProperty("question").GetString(), RetentionRule.AnyTarget));
            }

            if (examples.Count >= limit)
            {
                break;
            }
        }

        return examples;
    }

    private static List<RetentionExample> Gsm8kPrompt(string directory)
    {
        string prompt = File.ReadAllText(Path.Combine(directory, "gsm8k_cot_prompt_hardest.txt"));
        return BlankLine().Split(prompt).Select(e => e.Trim()).Where(e => e.Length > 0)
            .Select(e => new RetentionExample(e, NumberPattern().Matches(e).Select(m => m.Value).ToList(), null, RetentionRule.ShareOfNumbers))
            .Where(e => e.Targets.Count > 0).ToList();
    }

    /// <summary>lost-in-the-middle kv-retrieval: the JSON object of 75 UUID pairs; kept when the queried key and its value both survive.</summary>
    private static List<RetentionExample> KvRetrieval(string directory, int limit)
    {
        var examples = new List<RetentionExample>();
        using FileStream file = File.OpenRead(Path.Combine(directory, "lost-in-the-middle_kv-retrieval-75_keys.jsonl.gz"));
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        while (reader.ReadLine() is { } line && examples.Count < limit)
        {
            using JsonDocument doc = JsonDocument.Parse(line);
            var text = new StringBuilder("JSON data:\n{");
            bool first = true;
            foreach (JsonElement pair in doc.RootElement.GetProperty("ordered_kv_records").EnumerateArray())
            {
                text.Append(first ? string.Empty : ", ").Append('"').Append(pair[0].GetString()).Append("\": \"").Append(pair[1].GetString()).Append('"');
                first = false;
            }

            text.Append('}');
            string key = doc.RootElement.GetProperty("key").GetString()!;
            string value = doc.RootElement.GetProperty("value").GetString()!;
            examples.Add(new RetentionExample(text.ToString(), [key, value], $"Key: \"{key}\"", RetentionRule.AllVerbatim));
        }

        return examples;
    }

    /// <summary>Containment after SQuAD's answer normalization.</summary>
    internal static bool Contains(string text, string target) =>
        (" " + Normalize(text) + " ").Contains(" " + Normalize(target) + " ", StringComparison.Ordinal);

    private static string Normalize(string s)
    {
        string lower = Punctuation().Replace(s.ToLowerInvariant(), string.Empty);
        return Whitespace().Replace(Articles().Replace(lower, " "), " ").Trim();
    }

    [GeneratedRegex(@"[!-/:-@\[-`{-~]")]
    private static partial Regex Punctuation();

    [GeneratedRegex(@"\b(a|an|the)\b")]
    private static partial Regex Articles();

    [GeneratedRegex(@"\r?\n\s*\r?\n")]
    private static partial Regex BlankLine();

    [GeneratedRegex(@"\d+(?:[.,]\d+)*")]
    private static partial Regex NumberPattern();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
