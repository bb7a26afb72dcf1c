using System.Globalization;
using ContextPress.Compression;
using ContextPress.Text;
using ContextPress.Tokens;

namespace ContextPress.Benchmarks;

/// <summary>
/// Answer-string retention at a token rate: ContextPress against random word dropping and truncation at the same
/// budget (same words, same o200k counts), on NQ-open oracle passages, HotpotQA supporting facts and the GSM8K CoT prompt.
/// </summary>
public static class RetentionEvaluation
{
    private const int RandomSeeds = 5;

    public static async Task<int> RunAsync(string dataDirectory, int limit, TextWriter output)
    {
        if (!Directory.Exists(dataDirectory))
        {
            output.WriteLine($"research data not found at {dataDirectory}; pass --data DIR");
            return 1;
        }

        var datasets = new (string Name, List<RetentionExample> Examples)[]
        {
            ("NQ-open oracle (answer)", RetentionDatasets.NaturalQuestions(dataDirectory, limit)),
            ("HotpotQA supporting facts (answer)", RetentionDatasets.HotpotQa(dataDirectory, limit)),
            ("GSM8K CoT prompt (numbers)", RetentionDatasets.Gsm8kPrompt(dataDirectory)),
        };

        PromptCompressor compressor = PromptCompressor.CreateDefault();
        ITokenCounter counter = compressor.TokenCounter;
        output.WriteLine("| data set | n | rate | method | retention | achieved rate |");
        output.WriteLine("|---|---|---|---|---|---|");
        foreach ((string name, List<RetentionExample> examples) in datasets)
        {
            foreach (double rate in new[] { 0.5, 0.33 })
            {
                var methods = new List<(string Method, Func<RetentionExample, int, Task<string>> Compress)>
                {
                    ("ContextPress (default)", async (e, _) => (await compressor.CompressAsync(e.Context, new PromptCompressionOptions { Rate = rate })).Text),
                    ("ContextPress, digits not forced", async (e, _) => (await compressor.CompressAsync(e.Context, new PromptCompressionOptions { Rate = rate, ForceReserveDigit = false })).Text),
                    ("ContextPress, reference selection", async (e, _) => (await compressor.CompressAsync(e.Context, new PromptCompressionOptions { Rate = rate, Mode = PromptCompressionMode.Reference })).Text),
                    ("random word dropping", (e, seed) => Task.FromResult(RandomDrop(e.Context, rate, counter, seed))),
                    ("truncation (keep first)", (e, _) => Task.FromResult(Truncate(e.Context, rate, counter))),
                };
                if (examples.Any(e => e.Question is not null))
                {
                    methods.Insert(1, ("ContextPress + question", async (e, _) => (await compressor.CompressAsync(e.Context, new PromptCompressionOptions { Rate = rate, Question = e.Question })).Text));
                }

                foreach ((string method, Func<RetentionExample, int, Task<string>> compress) in methods)
                {
                    int seeds = method.StartsWith("random", StringComparison.Ordinal) ? RandomSeeds : 1;
                    double retained = 0;
                    long originalTokens = 0;
                    long keptTokens = 0;
                    foreach (RetentionExample example in examples)
                    {
                        for (int seed = 0; seed < seeds; seed++)
                        {
                            string compressed = await compress(example, seed);
                            retained += RetentionDatasets.Score(example, compressed) / seeds;
                            originalTokens += counter.CountTokens(example.Context);
                            keptTokens += counter.CountTokens(compressed);
                        }
                    }

                    output.WriteLine(string.Create(
                        CultureInfo.InvariantCulture,
                        $"| {name} | {examples.Count} | {rate:0.00} | {method} | {100 * retained / examples.Count:0.0} % | {(double)keptTokens / originalTokens:0.000} |"));
                }
            }
        }

        return 0;
    }

    internal static string RandomDrop(string text, double rate, ITokenCounter counter, int seed)
    {
        (List<WordSpan> words, int[] weights, int budget) = Prepare(text, rate, counter);
        var random = new Random(seed * 7919 + text.Length);
        int[] order = Enumerable.Range(0, words.Count).ToArray();
        random.Shuffle(order);
        var kept = new bool[words.Count];
        int used = 0;
        foreach (int w in order)
        {
            if (used + weights[w] <= budget)
            {
                kept[w] = true;
                used += weights[w];
            }
        }

        return Rebuild(text, words, kept);
    }

    /// <summary>Keeps the leading words that fit the budget.</summary>
    internal static string Truncate(string text, double rate, ITokenCounter counter)
    {
        (List<WordSpan> words, int[] weights, int budget) = Prepare(text, rate, counter);
        var kept = new bool[words.Count];
        int used = 0;
        for (int w = 0; w < words.Count && used + weights[w] <= budget; w++)
        {
            kept[w] = true;
            used += weights[w];
        }

        return Rebuild(text, words, kept);
    }

    private static (List<WordSpan> Words, int[] Weights, int Budget) Prepare(string text, double rate, ITokenCounter counter)
    {
        var words = new List<WordSpan>();
        WordSplitter.Split(text, words);
        int[] weights = words.Select(w => counter.CountTokens(w.Slice(text))).ToArray();
        return (words, weights, (int)Math.Floor(rate * counter.CountTokens(text)));
    }

    private static string Rebuild(string text, List<WordSpan> words, bool[] kept) =>
        DefaultTextBuilder.Build(text, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(words), kept);
}
