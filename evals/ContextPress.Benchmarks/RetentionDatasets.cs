using System.IO.Compression;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace ContextPress.Benchmarks;

/// <summary>One retention example: a context, the strings that must survive, the question it serves, and how survival is scored.</summary>
public sealed record RetentionExample(string Context, IReadOnlyList<string> Targets, string? Question, RetentionRule Rule);

/// <summary>How a compressed example's retention is scored.</summary>
public enum RetentionRule
{
    /// <summary>Kept when any target survives (after SQuAD normalization).</summary>
    AnyTarget,

    /// <summary>The share of the targets (numbers, as a multiset) that survive.</summary>
    ShareOfNumbers,

    /// <summary>Kept when every target survives verbatim (a key and its value).</summary>
    AllVerbatim,
}

/// <summary>
/// Loads the research-data sets as retention examples (see shared/research-data/README.md for sources and licenses) and
/// scores them. Shared by the benchmarks and the evaluation (linked into both).
/// </summary>
public static partial class RetentionDatasets
{
    /// <summary>NQ-open oracle: the gold passage; kept when any gold answer string survives.</summary>
    public static List<RetentionExample> NaturalQuestions(string directory, int limit)
    {
        var examples = new List<RetentionExample>();
        using var file = File.OpenRead(Path.Combine(directory, "lost-in-the-middle_nq-open-oracle.jsonl.gz"));
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        while (reader.ReadLine() is { } line && examples.Count < limit)
        {
            using JsonDocument doc = JsonDocument.Parse(line);
            JsonElement root = doc.RootElement;
            string passage = root.GetProperty("ctxs")[0].GetProperty("text").GetString()!;
            List<string> answers = root.GetProperty("answers").EnumerateArray().Select(a => a.GetString()!).Where(a => Contains(passage, a)).ToList();
            if (answers.Count > 0)
            {
                examples.Add(new RetentionExample(passage, answers, root.GetProperty("question").GetString(), RetentionRule.AnyTarget));
            }
        }

        return examples;
    }

    /// <summary>HotpotQA distractor dev: the supporting-fact sentences; kept when the answer survives (yes/no answers skipped).</summary>
    public static List<RetentionExample> HotpotQa(string directory, int limit)
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

    /// <summary>The GSM8K chain-of-thought prompt, one example per exemplar; the share of its numbers that survive.</summary>
    public static List<RetentionExample> Gsm8kPrompt(string directory)
    {
        string prompt = File.ReadAllText(Path.Combine(directory, "gsm8k_cot_prompt_hardest.txt"));
        var examples = new List<RetentionExample>();
        foreach (string exemplar in BlankLine().Split(prompt).Select(e => e.Trim()).Where(e => e.Length > 0))
        {
            List<string> numbers = NumberPattern().Matches(exemplar).Select(m => m.Value).ToList();
            if (numbers.Count > 0)
            {
                examples.Add(new RetentionExample(exemplar, numbers, null, RetentionRule.ShareOfNumbers));
            }
        }

        return examples;
    }

    /// <summary>lost-in-the-middle kv-retrieval: the JSON object of 75 UUID pairs; kept when the queried key and its value both survive.</summary>
    public static List<RetentionExample> KvRetrieval(string directory, int limit)
    {
        var examples = new List<RetentionExample>();
        using FileStream file = File.OpenRead(Path.Combine(directory, "lost-in-the-middle_kv-retrieval-75_keys.jsonl.gz"));
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        while (reader.ReadLine() is { } line && examples.Count < limit)
        {
            using JsonDocument doc = JsonDocument.Parse(line);
            var text = new System.Text.StringBuilder("JSON data:\n{");
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

    /// <summary>Scores a compressed example by its rule: 1 or 0, or the share of its numbers kept.</summary>
    public static double Score(RetentionExample example, string compressed)
    {
        switch (example.Rule)
        {
            case RetentionRule.AnyTarget:
                return example.Targets.Any(t => Contains(compressed, t)) ? 1 : 0;
            case RetentionRule.AllVerbatim:
                return example.Targets.All(t => compressed.Contains(t, StringComparison.Ordinal)) ? 1 : 0;
            default:
                // Multiset of numbers: each occurrence in the original must have one in the result.
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

    /// <summary>Containment after SQuAD's answer normalization (lower case, no punctuation, no articles, single spaces).</summary>
    public static bool Contains(string text, string target) =>
        (" " + Normalize(text) + " ").Contains(" " + Normalize(target) + " ", StringComparison.Ordinal);

    public static string Normalize(string s)
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
    public static partial Regex NumberPattern();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
