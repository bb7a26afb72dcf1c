using System.IO.Compression;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace ContextPress.Benchmarks;

/// <summary>One retention example: a context, the strings that must survive, and the question it serves.</summary>
public sealed record RetentionExample(string Context, IReadOnlyList<string> Targets, string? Question, bool AllTargetsCount);

/// <summary>Loads the research-data sets as retention examples (see shared/research-data/README.md for sources and licenses).</summary>
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
                examples.Add(new RetentionExample(passage, answers, root.GetProperty("question").GetString(), AllTargetsCount: false));
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
                examples.Add(new RetentionExample(text, [answer], item.GetProperty("question").GetString(), AllTargetsCount: false));
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
                examples.Add(new RetentionExample(exemplar, numbers, null, AllTargetsCount: true));
            }
        }

        return examples;
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
