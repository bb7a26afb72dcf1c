using System.Diagnostics;
using System.Globalization;
using ContextPress.Evals.Running;
using ContextPress.Evals.Tasks;
using ContextPress.Tokens;

namespace ContextPress.Evals;

/// <summary><c>dotnet run --project evals/ContextPress.Evals -- [--suite smoke|full] [--out DIR] [--data DIR]</c>.</summary>
internal static class EvalCommand
{
    public static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        string suite = "smoke";
        string output = "eval-report";
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--suite" when i + 1 < args.Length: suite = args[++i]; break;
                case "--out" when i + 1 < args.Length: output = args[++i]; break;
                default:
                    Console.Error.WriteLine($"unknown argument {args[i]}; usage: [--suite smoke|full] [--out DIR]");
                    return 2;
            }
        }

        SuiteOptions options = suite switch
        {
            "smoke" => SuiteOptions.Smoke,
            "full" => SuiteOptions.Full,
            _ => throw new ArgumentException($"unknown suite {suite}"),
        };
        var counter = TiktokenTokenCounter.O200k;
        var watch = Stopwatch.StartNew();
        List<EpisodeRecord> records = await EvalSuite.RunAsync(options, EvalSuite.CreateMethods(counter), counter, new Progress<string>(Console.Error.WriteLine), cancellationToken).ConfigureAwait(false);
        foreach (var group in records.GroupBy(r => (r.Method, r.Ratio)))
        {
            int required = group.Sum(r => r.Turns.Where(t => t.Compressed).Sum(t => t.FactsRequired));
            int kept = group.Sum(r => r.Turns.Where(t => t.Compressed).Sum(t => t.FactsKept));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{group.Key.Method,-40} {group.Key.Ratio:0.00} facts {100.0 * kept / Math.Max(1, required):0.0}% completed {group.Count(r => r.OracleCompleted)}/{group.Count()} mean sent {group.Average(r => r.Turns.Average(t => t.TokensSent)):0} peak {group.Max(r => r.Turns.Max(t => t.UncompressedTokens)):0}"));
        }

        foreach (EpisodeRecord r in records.Where(r => r.Method == "no compression" && r.Ratio == 0.5))
        {
            Console.WriteLine($"  peak {r.TaskId} {r.Turns.Max(t => t.UncompressedTokens)} steps {r.Turns.Count}");
        }

        foreach (EpisodeRecord r in records.Where(r => !r.OracleCompleted && r.Method.StartsWith("ContextPress", StringComparison.Ordinal)))
        {
            Console.WriteLine($"  {r.TaskId} {r.Method} {r.Ratio} step {r.OracleFailedStep}: {string.Join(" | ", r.MissingFacts)}");
        }

        Console.WriteLine($"{watch.Elapsed.TotalSeconds:0.0} s, output {output}");
        return 0;
    }
}
