using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using ContextPress.Compression;
using ContextPress.Tokens;

namespace ContextPress.Benchmarks;

/// <summary>
/// Throughput of tokenize + score + select (the whole <see cref="PromptCompressor.CompressAsync"/> call with the
/// default scorer) on 1k, 10k and 100k-token inputs, pinned to one core, and allocation per call over many calls.
/// </summary>
internal static class ThroughputBenchmark
{
    public static async Task<int> RunAsync(string dataDirectory, TextWriter output)
    {
        if (OperatingSystem.IsLinux() || OperatingSystem.IsWindows())
        {
            Process.GetCurrentProcess().ProcessorAffinity = 1; // one core
        }

        PromptCompressor compressor = PromptCompressor.CreateDefault();
        ITokenCounter counter = compressor.TokenCounter;
        string corpus = LoadCorpus(dataDirectory);
        var options = new PromptCompressionOptions { Rate = 0.33, ForceTokens = ["?"], IncludeWordLabels = false };
        output.WriteLine($"single core; default scorer; rate 0.33; corpus: {(corpus.Length > 0 ? "NQ-open oracle passages" : "synthetic")}");
        output.WriteLine("| input tokens | calls | median ms/call | input tokens/s | tokenize / score / select ms | allocated KB/call (first, last) |");
        output.WriteLine("|---|---|---|---|---|---|");
        foreach (int size in new[] { 1_000, 10_000, 100_000 })
        {
            string text = TakeTokens(corpus, size, counter);
            int tokens = counter.CountTokens(text);
            for (int i = 0; i < 3; i++)
            {
                await compressor.CompressAsync(text, options);
            }

            int calls = size switch { 1_000 => 2000, 10_000 => 300, _ => 40 };
            var times = new double[calls];
            var allocations = new long[calls];
            PromptCompressionTimings last = null!;
            for (int i = 0; i < calls; i++)
            {
                long allocated = GC.GetAllocatedBytesForCurrentThread();
                long start = Stopwatch.GetTimestamp();
                PromptCompressionResult result = await compressor.CompressAsync(text, options);
                times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                allocations[i] = GC.GetAllocatedBytesForCurrentThread() - allocated;
                last = result.Timings;
            }

            Array.Sort(times);
            double median = times[calls / 2];
            output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"| {tokens:N0} | {calls} | {median:0.000} | {tokens / (median / 1000):N0} | {last.Tokenize.TotalMilliseconds:0.00} / {last.Score.TotalMilliseconds:0.00} / {last.Select.TotalMilliseconds:0.00} | {allocations[0] / 1024.0:0.0}, {allocations[^1] / 1024.0:0.0} |"));
        }

        return 0;
    }

    internal static string LoadCorpus(string directory)
    {
        string path = Path.Combine(directory, "lost-in-the-middle_nq-open-oracle.jsonl.gz");
        if (!File.Exists(path))
        {
            return Synthetic();
        }

        var builder = new StringBuilder();
        using var gzip = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        while (reader.ReadLine() is { } line && builder.Length < 2_000_000)
        {
            using JsonDocument doc = JsonDocument.Parse(line);
            JsonElement passage = doc.RootElement.GetProperty("ctxs")[0];
            builder.Append(passage.GetProperty("title").GetString()).Append('\n').Append(passage.GetProperty("text").GetString()).Append("\n\n");
        }

        return builder.ToString();
    }

    private static string Synthetic()
    {
        string[] vocabulary = ["the", "order", "HAT136", "was", "refunded", "to", "customer", "Ann", "Lee", "on", "2024-01-05", "for", "$12.50", "because", "it", "arrived", "damaged", "and", "agent", "called", "call_4f2", "tool", "with", "code", "UM3OG5."];
        var random = new Random(42);
        var builder = new StringBuilder();
        for (int i = 0; i < 600_000; i++)
        {
            builder.Append(vocabulary[random.Next(vocabulary.Length)]).Append(i % 17 == 16 ? '\n' : ' ');
        }

        return builder.ToString();
    }

    internal static string TakeTokens(string corpus, int tokens, ITokenCounter counter)
    {
        int index = counter is TiktokenTokenCounter tiktoken
            ? tiktoken.Tokenizer.GetIndexByTokenCount(corpus, tokens, out _, out _)
            : Math.Min(corpus.Length, tokens * 4);
        return corpus[..index];
    }
}
