using System.Diagnostics;
using System.Globalization;
using ContextPress.Evals.Methods;
using ContextPress.Evals.Metrics;
using ContextPress.Evals.Reporting;
using ContextPress.Evals.Research;
using ContextPress.Evals.Running;
using ContextPress.Tokens;
using Spectre.Console;

namespace ContextPress.Evals;

/// <summary><c>dotnet run -c Release --project evals/ContextPress.Evals -- [--suite smoke|full] [--out DIR] [--data DIR]</c>.</summary>
internal static class EvalCommand
{
    public static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        string suite = "smoke";
        string output = Path.Combine("artifacts", "eval-report");
        string data = FindResearchData();
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--suite" when i + 1 < args.Length: suite = args[++i]; break;
                case "--out" when i + 1 < args.Length: output = args[++i]; break;
                case "--data" when i + 1 < args.Length: data = args[++i]; break;
                default:
                    Console.Error.WriteLine($"unknown argument {args[i]}; usage: [--suite smoke|full] [--out DIR] [--data DIR]");
                    return 2;
            }
        }

        SuiteOptions? options = suite switch { "smoke" => SuiteOptions.Smoke, "full" => SuiteOptions.Full, _ => null };
        if (options is null)
        {
            Console.Error.WriteLine($"unknown suite {suite}; use smoke or full");
            return 2;
        }

        Directory.CreateDirectory(output);
        var counter = TiktokenTokenCounter.O200k;
        IReadOnlyList<IHistoryMethod> methods = EvalSuite.CreateMethods(counter);
        int total = EvalSuite.Tasks(options).Count() * (1 + ((methods.Count - 1) * options.Ratios.Count));
        var watch = Stopwatch.StartNew();

        List<EpisodeRecord> episodes = [];
        List<RetentionPoint> retention = [];
        string retentionNote;
        bool interactive = !Console.IsOutputRedirected && !Console.IsErrorRedirected && AnsiConsole.Profile.Capabilities.Interactive;
        bool haveData = Directory.Exists(data);
        double[] rates = options.Name == "full" ? [0.75, 0.5, 0.33, 0.25] : [0.5, 0.33];
        int limit = options.Name == "full" ? 500 : 40;
        if (interactive)
        {
            await AnsiConsole.Progress().StartAsync(async ctx =>
            {
                ProgressTask agentTask = ctx.AddTask("agent tasks", maxValue: total);
                ProgressTask dataTask = ctx.AddTask("prompt-compression sets", maxValue: 1);
                episodes = await EvalSuite.RunAsync(options, methods, counter, new PlainProgress(_ => agentTask.Increment(1)), cancellationToken).ConfigureAwait(false);
                agentTask.Value = total;
                if (haveData)
                {
                    retention = await PromptRetention.RunAsync(data, rates, limit, counter, cancellationToken).ConfigureAwait(false);
                }

                dataTask.Value = 1;
            }).ConfigureAwait(false);
        }
        else
        {
            int done = 0;
            episodes = await EvalSuite.RunAsync(options, methods, counter, new PlainProgress(m => Console.Error.WriteLine($"[{++done}/{total}] {m}")), cancellationToken).ConfigureAwait(false);
            if (haveData)
            {
                Console.Error.WriteLine("prompt-compression sets ...");
                retention = await PromptRetention.RunAsync(data, rates, limit, counter, cancellationToken).ConfigureAwait(false);
            }
        }

        retentionNote = haveData
            ? $"Data: `{Path.GetFullPath(data)}` (NQ CC BY-SA 3.0, HotpotQA CC BY-SA 4.0, GSM8K MIT, kv-retrieval MIT; see its README). Up to {limit} NQ / HotpotQA examples, {Math.Max(10, limit / 5)} kv-retrieval examples, the 8 GSM8K exemplars. Retention: a gold answer survives (SQuAD normalization); GSM8K: the share of numbers kept; kv-retrieval: the queried key and its value both survive verbatim. Scorers: {string.Join(", ", PromptRetention.Scorers.Select(s => s.Name))} (the only one in Core today): default options, digits not force-kept, and with the question (LongLLMLingua-style conditioning)."
            : $"Skipped: research data not found at `{data}` (pass `--data DIR`).";

        IReadOnlyList<MethodScore> scores = Scoreboard.ScoreAll(episodes);
        var plots = new Dictionary<string, string>();
        var notes = new List<string>();
        try
        {
            Plots.RetentionAgainstRatio(scores, Path.Combine(output, "facts-vs-ratio.png"));
            plots["Required facts kept vs ratio"] = "facts-vs-ratio.png";
            Plots.TokensPerTurn(episodes, options.Ratios.Contains(0.5) ? 0.5 : options.Ratios[0], Path.Combine(output, "tokens-per-turn.png"));
            plots["Tokens per turn"] = "tokens-per-turn.png";
            if (retention.Count > 0)
            {
                Plots.PromptRetention(retention, Path.Combine(output, "prompt-retention.png"));
                plots["Prompt-compression retention vs rate"] = "prompt-retention.png";
            }
        }
        catch (Exception ex) when (ex is DllNotFoundException or TypeInitializationException or InvalidOperationException)
        {
            notes.Add($"PNG plots could not be rendered on this machine ({ex.GetType().Name}: {ex.Message}).");
        }

        if (methods.OfType<SkTruncationReducerMethod>().FirstOrDefault() is { ReducerFaults: > 0 } sk)
        {
            notes.Add(string.Create(CultureInfo.InvariantCulture, $"SK's `ChatHistoryTruncationReducer` threw `IndexOutOfRangeException` for {sk.ReducerFaults} (history, target count) pairs (in `LocateSafeReductionIndex`); those target counts were skipped."));
        }

        notes.Add("SK's `ChatHistoryTruncationReducer` never splits a call from its result and walks back to a non-function message; in an agent loop where one user request is followed only by call/result pairs, no target count can cut anything, so it sends the whole history (its row equals no compression, far over budget).");
        string llm = await LlmRunner.RunAsync(options, counter, cancellationToken).ConfigureAwait(false);
        watch.Stop();
        var run = new RunResults(options, episodes, scores, methods.Select(m => m.Name).ToList(), retention, retentionNote, llm, notes, watch.Elapsed);
        string report = ReportWriter.Write(run, plots);
        string path = Path.Combine(output, "report.md");
        await File.WriteAllTextAsync(path, report, cancellationToken).ConfigureAwait(false);
        WriteSummary(scores, options, methods);
        Console.WriteLine($"report: {Path.GetFullPath(path)} ({watch.Elapsed.TotalSeconds:0.0} s)");
        return 0;
    }

    private static void WriteSummary(IReadOnlyList<MethodScore> scores, SuiteOptions options, IReadOnlyList<IHistoryMethod> methods)
    {
        foreach (double ratio in options.Ratios)
        {
            foreach (IHistoryMethod method in methods)
            {
                MethodScore s = scores.First(x => x.Method == method.Name && x.Ratio == ratio);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{ratio:0.00}  {method.Name,-38} facts {100 * s.FactPreservation,5:0.0} %  completed {s.TasksCompleted,2}/{s.Tasks}  tokens/turn {s.MeanTokensPerTurn,6:0}  peak {s.MeanPeakTokens,6:0}"));
            }
        }
    }

    private static string FindResearchData()
    {
        for (DirectoryInfo? dir = new(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared", "research-data");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        return Path.Combine("..", "shared", "research-data");
    }

    /// <summary>Reports synchronously (System.Progress posts to the thread pool and can reorder lines).</summary>
    private sealed class PlainProgress(Action<string> report) : IProgress<string>
    {
        public void Report(string value) => report(value);
    }
}
