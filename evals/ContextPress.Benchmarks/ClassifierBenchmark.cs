using System.Diagnostics;
using System.Globalization;
using ContextPress.Classifier;
using ContextPress.Compression;
using ContextPress.Tokens;
using static TorchSharp.torch;

namespace ContextPress.Benchmarks;

/// <summary>
/// CPU speed of the LLMLingua-2 token classifier at the mBERT-base shape (12 layers, hidden 768, 12 heads, FFN 3072,
/// the real 119,547-entry mBERT vocabulary; random weights, fp32): whole <see cref="PromptCompressor.CompressAsync"/>
/// calls on 1k and 10k-token inputs, with the time spent in the model shown apart. The process's CPU time is shown
/// beside the wall clock: on a shared machine (see the load average printed) the wall clock mostly measures the others.
/// </summary>
internal static class ClassifierBenchmark
{
    public static async Task<int> RunAsync(string dataDirectory, string? vocabPath, TextWriter output)
    {
        vocabPath ??= FindMbertVocab();
        if (vocabPath is null || !File.Exists(vocabPath))
        {
            Console.Error.WriteLine("classifier: the mBERT vocab.txt was not found (shared/models/mbert-cased-vocab); pass --vocab FILE");
            return 1;
        }

        var vocabulary = WordPieceVocabulary.Load(vocabPath);
        var config = BertConfig.Parse("""{"model_type": "bert", "vocab_size": 119547, "hidden_size": 768, "num_hidden_layers": 12, "num_attention_heads": 12, "intermediate_size": 3072, "max_position_embeddings": 512, "type_vocab_size": 2, "id2label": {"0": "0", "1": "1"}}""");
        using var model = new BertForTokenClassification(config);
        using var scorer = new TokenClassifierScorer(model, vocabulary, new TokenClassifierScorerOptions { ForceTokens = ["\n", "?"] });
        var compressor = new PromptCompressor(scorer, TiktokenTokenCounter.Cl100k);
        var options = new PromptCompressionOptions { Rate = 0.33, ForceTokens = ["\n", "?"], IncludeWordLabels = false };
        string corpus = ThroughputBenchmark.LoadCorpus(dataDirectory);

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"mBERT-base shape (12 x 768, random weights, fp32), CPU, {Environment.ProcessorCount} cores, libtorch threads {get_num_threads()}; rate 0.33, force \\n ?; corpus: {(corpus.Length > 0 ? "NQ-open oracle passages" : "synthetic")}"));
        string load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";
        output.WriteLine($"load average at start: {load}");
        output.WriteLine("| input tokens (cl100k) | model pieces | rows | calls | median latency s | input tokens/s | CPU s/call | input tokens per CPU-s | model share |");
        output.WriteLine("|---|---|---|---|---|---|---|---|---|");
        await compressor.CompressAsync(ThroughputBenchmark.TakeTokens(corpus, 500, TiktokenTokenCounter.Cl100k), options); // warm-up
        foreach (int size in new[] { 1_000, 10_000 })
        {
            string text = ThroughputBenchmark.TakeTokens(corpus, size, TiktokenTokenCounter.Cl100k);
            int tokens = TiktokenTokenCounter.Cl100k.CountTokens(text);
            int pieces = vocabulary.CountTokens(text);
            int calls = size <= 1_000 ? 3 : 2;
            var times = new double[calls];
            var cpu = new double[calls];
            var modelShare = new double[calls];
            int rows = 0;
            for (int i = 0; i < calls; i++)
            {
                TimeSpan cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
                long start = Stopwatch.GetTimestamp();
                PromptCompressionResult result = await compressor.CompressAsync(text, options);
                times[i] = Stopwatch.GetElapsedTime(start).TotalSeconds;
                cpu[i] = (Process.GetCurrentProcess().TotalProcessorTime - cpuStart).TotalSeconds;
                modelShare[i] = result.Timings.Score.TotalSeconds / times[i];
                rows = result.Chunks;
            }

            Array.Sort(times);
            Array.Sort(cpu);
            double median = times[calls / 2];
            double cpuMedian = cpu[calls / 2];
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {tokens:N0} | {pieces:N0} | {rows} | {calls} | {median:0.000} | {tokens / median:N0} | {cpuMedian:0.00} | {tokens / cpuMedian:N0} | {modelShare.Average():P0} |"));
        }

        return 0;
    }

    private static string? FindMbertVocab()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared", "models", "mbert-cased-vocab", "vocab.txt");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }
}
