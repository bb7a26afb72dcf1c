using ContextPress.Benchmarks;
using ContextPress.Benchmarks.History;
using ContextPress.Benchmarks.Segments;

// Usage: dotnet run -c Release --project evals/ContextPress.Benchmarks -- throughput|classifier|retention|history|segments [--data DIR] [--limit N] [--vocab FILE]
string mode = args.Length > 0 ? args[0] : "throughput";
string data = Option("--data") ?? Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../../shared/research-data"));
int limit = int.Parse(Option("--limit") ?? "100000", System.Globalization.CultureInfo.InvariantCulture);
return mode switch
{
    "retention" => await RetentionEvaluation.RunAsync(data, limit, Console.Out),
    "throughput" => await ThroughputBenchmark.RunAsync(data, Console.Out),
    "classifier" => await ClassifierBenchmark.RunAsync(data, Option("--vocab"), Console.Out),
    "history" => await HistoryBenchmark.RunAsync(Console.Out, Option("--limit") is null ? 200 : limit),
    "segments" => await SegmentCacheBenchmark.RunAsync(Console.Out),
    _ => Usage(),
};

string? Option(string name)
{
    int index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}

static int Usage()
{
    Console.Error.WriteLine("usage: ContextPress.Benchmarks throughput|classifier|retention|history|segments [--data DIR] [--limit N] [--vocab FILE]");
    return 2;
}
