using System.Diagnostics;
using System.Globalization;
using ContextPress.Context;
using ContextPress.History;

namespace ContextPress.Benchmarks.History;

/// <summary>
/// History compression on simulated AppWorld-style agent histories: does the compressed history still hold the values
/// the agent's next call needs? <see cref="ContextCompressor"/> with and without the plan, against keep-newest
/// truncation on the same budget, at target ratios 0.5 and 0.33; then the latency of one call on 8k-token histories.
/// </summary>
public static class HistoryBenchmark
{
    private const int LatencyHistories = 20;
    private const int LatencyTokens = 8000;
    private const int WarmupRuns = 30;

    private static readonly double[] Ratios = [0.5, 0.33];

    /// <summary>Runs the benchmark and prints markdown tables.</summary>
    /// <param name="output">Where the tables go.</param>
    /// <param name="count">How many histories (default 200).</param>
    /// <param name="latencyRuns">How many timed calls for the latency (default 200).</param>
    /// <returns>The exit code: 0, or 1 when a method produced an invalid history.</returns>
    public static async Task<int> RunAsync(TextWriter output, int count = 200, int latencyRuns = 200)
    {
        ArgumentNullException.ThrowIfNull(output);
        long started = Stopwatch.GetTimestamp();
        var generator = new AgentHistoryGenerator();
        IReadOnlyList<AgentHistory> histories = generator.GenerateSet(count);
        double generateSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        PrintDataset(output, histories, generateSeconds);

        ContextCompressor compressor = ContextCompressor.CreateDefault();
        var rows = new List<MethodStats>();
        int countMismatches = 0;
        int invalid = 0;
        foreach (double ratio in Ratios)
        {
            var withoutPlan = new MethodStats("ContextCompressor", ratio);
            var withPlan = new MethodStats("ContextCompressor + plan", ratio);
            var truncation = new MethodStats("truncation (keep newest)", ratio);
            var fill = new MethodStats("truncation, fill (skip groups that do not fit)", ratio);
            foreach (AgentHistory history in histories)
            {
                int systemTokens = HistoryTokens.Count(history.Items.Where(i => i.Kind == ContextItemKind.System));
                ContextCompressionResult plain = await compressor.CompressAsync(history.Items, new ContextCompressionOptions { TargetRatio = ratio });
                ContextCompressionResult planned = await compressor.CompressAsync(history.Items, new ContextCompressionOptions { TargetRatio = ratio, Plan = history.Plan });
                int budget = plain.BudgetTokens;
                IReadOnlyList<ContextItem> truncated = TruncationBaseline.KeepNewest(history.Items, budget);
                IReadOnlyList<ContextItem> filled = TruncationBaseline.KeepNewest(history.Items, budget, fill: true);

                countMismatches += plain.TokensBefore != history.Tokens ? 1 : 0;
                countMismatches += HistoryTokens.Count(plain.Items) != plain.TokensAfter ? 1 : 0;
                countMismatches += HistoryTokens.Count(planned.Items) != planned.TokensAfter ? 1 : 0;
                invalid += ContextValidation.FindProblems(plain.Items).Count > 0 ? 1 : 0;
                invalid += ContextValidation.FindProblems(planned.Items).Count > 0 ? 1 : 0;

                withoutPlan.Add(history, plain.Items, systemTokens, budget, plain.Elapsed.TotalMilliseconds);
                withPlan.Add(history, planned.Items, systemTokens, planned.BudgetTokens, planned.Elapsed.TotalMilliseconds);
                truncation.Add(history, truncated, systemTokens, budget, 0);
                fill.Add(history, filled, systemTokens, budget, 0);
            }

            rows.Add(withoutPlan);
            rows.Add(withPlan);
            rows.Add(truncation);
            rows.Add(fill);
        }

        PrintPreservation(output, rows);
        PrintByOrigin(output, rows);
        PrintByScenario(output, rows);
        PrintByArgument(output, rows);
        if (countMismatches > 0)
        {
            output.WriteLine(Inv($"\nNote: {countMismatches} token counts differed between this benchmark's counter and the compressor's (TokensBefore/TokensAfter)."));
        }

        if (invalid > 0)
        {
            output.WriteLine(Inv($"\nERROR: {invalid} compressed histories failed ContextValidation."));
        }

        await PrintLatencyAsync(output, compressor, generator, latencyRuns);
        output.WriteLine(Inv($"\nTotal time: {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s."));
        return invalid > 0 ? 1 : 0;
    }

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static void PrintDataset(TextWriter output, IReadOnlyList<AgentHistory> histories, double seconds)
    {
        int[] tokens = [.. histories.Select(h => h.Tokens).Order()];
        int huge = histories.Count(h => h.HugeObservationTokens > 0);
        int hugeRelevant = histories.Count(h => h.HugeObservationRelevant);
        int values = histories.Sum(h => h.RequiredValues.Count);
        int fromTool = histories.Sum(h => h.RequiredValues.Count(v => v.Origin == ValueOrigin.Tool));
        int far = histories.Sum(h => h.RequiredValues.Count(v => v.StepsBack >= 5));
        output.WriteLine("## History compression: next-call value preservation");
        output.WriteLine();
        output.WriteLine(Inv($"{histories.Count} seeded AppWorld-style histories ({string.Join(", ", histories.GroupBy(h => h.Scenario).Select(g => $"{g.Key} {g.Count()}"))}), generated in {seconds:0.0} s."));
        output.WriteLine(Inv($"Tokens (o200k, with 3 per message and call): min {tokens[0]:N0}, median {tokens[tokens.Length / 2]:N0}, max {tokens[^1]:N0}; tool steps before the gold call: mean {histories.Average(h => h.ToolSteps):0.0}."));
        output.WriteLine(Inv($"Histories with one huge observation: {huge} (mean {(huge > 0 ? histories.Where(h => h.HugeObservationTokens > 0).Average(h => h.HugeObservationTokens) : 0):N0} tokens); in {hugeRelevant} of them it holds a value the gold call needs."));
        output.WriteLine(Inv($"Gold next calls need {values} values ({values / (double)histories.Count:0.0} per call): {fromTool} from earlier tool results ({far} from 5 or more steps back), {values - fromTool} from the user request."));
        output.WriteLine();
    }

    private static void PrintPreservation(TextWriter output, List<MethodStats> rows)
    {
        output.WriteLine("| target ratio | method | value preservation | histories with all values | tokens kept (whole history) | non-system tokens kept | over budget | mean ms/call |");
        output.WriteLine("|---|---|---|---|---|---|---|---|");
        foreach (MethodStats row in rows)
        {
            output.WriteLine(Inv(
                $"| {row.Ratio:0.00} | {row.Method} | {Percent(row.Preserved, row.Values)} | {Percent(row.AllPreserved, row.Histories)} | {row.KeptTokens / (double)row.OriginalTokens:0.000} | {row.KeptNonSystem / (double)row.OriginalNonSystem:0.000} | {row.OverBudget} | {(row.Milliseconds > 0 ? (row.Milliseconds / row.Histories).ToString("0.0", CultureInfo.InvariantCulture) : "-")} |"));
        }

        output.WriteLine();
    }

    private static void PrintByOrigin(TextWriter output, List<MethodStats> rows)
    {
        output.WriteLine("Value preservation by where the value comes from (steps back = tool steps between its result and the gold call):");
        output.WriteLine();
        output.WriteLine("| target ratio | method | user request | 1 step back | 2-4 steps back | 5+ steps back | huge observation histories |");
        output.WriteLine("|---|---|---|---|---|---|---|");
        foreach (MethodStats row in rows)
        {
            output.WriteLine(Inv(
                $"| {row.Ratio:0.00} | {row.Method} | {row.Bucket(0)} | {row.Bucket(1)} | {row.Bucket(2)} | {row.Bucket(3)} | {Percent(row.HugePreserved, row.HugeValues)} |"));
        }

        output.WriteLine();
    }

    private static void PrintByScenario(TextWriter output, List<MethodStats> rows)
    {
        string[] scenarios = Scenarios.Names;
        output.WriteLine("Value preservation by task family:");
        output.WriteLine();
        output.WriteLine("| target ratio | method | " + string.Join(" | ", scenarios) + " |");
        output.WriteLine("|---|---|" + string.Concat(Enumerable.Repeat("---|", scenarios.Length)));
        foreach (MethodStats row in rows)
        {
            output.WriteLine(Inv($"| {row.Ratio:0.00} | {row.Method} | ") + string.Join(" | ", scenarios.Select(row.Scenario)) + " |");
        }

        output.WriteLine();
    }

    private static void PrintByArgument(TextWriter output, List<MethodStats> rows)
    {
        List<string> arguments = [.. rows[0].ArgumentNames.OrderByDescending(rows[0].ArgumentCount).ThenBy(a => a, StringComparer.Ordinal)];
        output.WriteLine("Value preservation by argument of the gold call (columns: method at target ratio):");
        output.WriteLine();
        output.WriteLine("| argument | n | " + string.Join(" | ", rows.Select(r => Inv($"{r.ShortName} {r.Ratio:0.00}"))) + " |");
        output.WriteLine("|---|---|" + string.Concat(Enumerable.Repeat("---|", rows.Count)));
        foreach (string argument in arguments)
        {
            output.WriteLine(Inv($"| {argument} | {rows[0].ArgumentCount(argument)} | ") + string.Join(" | ", rows.Select(r => r.Argument(argument))) + " |");
        }

        output.WriteLine();
    }

    private static async Task PrintLatencyAsync(TextWriter output, ContextCompressor compressor, AgentHistoryGenerator generator, int runs)
    {
        var histories = new List<AgentHistory>();
        for (int i = 0; i < LatencyHistories; i++)
        {
            histories.Add(generator.GenerateOfSize(i, LatencyTokens));
        }

        var options = new ContextCompressionOptions { TargetRatio = 0.5 };
        var planned = histories.Select(h => new ContextCompressionOptions { TargetRatio = 0.5, Plan = h.Plan }).ToList();
        for (int i = 0; i < WarmupRuns; i++)
        {
            await compressor.CompressAsync(histories[i % histories.Count].Items, i % 2 == 0 ? options : planned[i % histories.Count]);
        }

        output.WriteLine(Inv($"Latency of one CompressAsync call, ratio 0.5, on {histories.Count} histories of {histories.Min(h => h.Tokens):N0}-{histories.Max(h => h.Tokens):N0} tokens ({runs} timed calls after {WarmupRuns} warm-up calls, one thread):"));
        output.WriteLine();
        output.WriteLine("| variant | p50 ms | p95 ms | mean ms | max ms | tokens after / before |");
        output.WriteLine("|---|---|---|---|---|---|");
        foreach (bool withPlan in new[] { false, true })
        {
            var times = new double[runs];
            long before = 0;
            long after = 0;
            for (int i = 0; i < runs; i++)
            {
                AgentHistory history = histories[i % histories.Count];
                long start = Stopwatch.GetTimestamp();
                ContextCompressionResult result = await compressor.CompressAsync(history.Items, withPlan ? planned[i % histories.Count] : options);
                times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                before += result.TokensBefore;
                after += result.TokensAfter;
            }

            Array.Sort(times);
            output.WriteLine(Inv(
                $"| {(withPlan ? "with plan" : "without plan")} | {Percentile(times, 0.50):0.00} | {Percentile(times, 0.95):0.00} | {times.Average():0.00} | {times[^1]:0.00} | {after / (double)before:0.000} |"));
        }
    }

    private static double Percentile(double[] sorted, double p)
    {
        double rank = p * (sorted.Length - 1);
        int low = (int)Math.Floor(rank);
        int high = Math.Min(low + 1, sorted.Length - 1);
        return sorted[low] + ((sorted[high] - sorted[low]) * (rank - low));
    }

    private static string Percent(int part, int whole) =>
        whole == 0 ? "-" : (100.0 * part / whole).ToString("0.0", CultureInfo.InvariantCulture) + "%";

    /// <summary>The counts of one method at one ratio.</summary>
    private sealed class MethodStats(string method, double ratio)
    {
        private readonly int[] _bucketValues = new int[4];
        private readonly int[] _bucketPreserved = new int[4];
        private readonly Dictionary<string, (int Preserved, int Values)> _byScenario = new(StringComparer.Ordinal);
        private readonly Dictionary<string, (int Preserved, int Values)> _byArgument = new(StringComparer.Ordinal);

        public string Method { get; } = method;

        public double Ratio { get; } = ratio;

        public string ShortName => Method switch
        {
            "ContextCompressor" => "CC",
            "ContextCompressor + plan" => "CC+plan",
            "truncation (keep newest)" => "trunc",
            _ => "trunc-fill",
        };

        public IEnumerable<string> ArgumentNames => _byArgument.Keys;

        public int Histories { get; private set; }

        public int Values { get; private set; }

        public int Preserved { get; private set; }

        public int AllPreserved { get; private set; }

        public int HugeValues { get; private set; }

        public int HugePreserved { get; private set; }

        public long OriginalTokens { get; private set; }

        public long KeptTokens { get; private set; }

        public long OriginalNonSystem { get; private set; }

        public long KeptNonSystem { get; private set; }

        public int OverBudget { get; private set; }

        public double Milliseconds { get; private set; }

        public void Add(AgentHistory history, IReadOnlyList<ContextItem> compressed, int systemTokens, int budget, double milliseconds)
        {
            Histories++;
            int kept = HistoryTokens.Count(compressed);
            OriginalTokens += history.Tokens;
            KeptTokens += kept;
            OriginalNonSystem += history.Tokens - systemTokens;
            KeptNonSystem += kept - systemTokens;
            OverBudget += kept > budget ? 1 : 0;
            Milliseconds += milliseconds;

            int preserved = 0;
            foreach (RequiredValue value in history.RequiredValues)
            {
                bool found = HistoryText.Contains(compressed, value.Value);
                preserved += found ? 1 : 0;
                int bucket = value.Origin == ValueOrigin.User ? 0 : value.StepsBack <= 1 ? 1 : value.StepsBack <= 4 ? 2 : 3;
                _bucketValues[bucket]++;
                _bucketPreserved[bucket] += found ? 1 : 0;
                (int ap, int av) = _byArgument.GetValueOrDefault(value.Argument);
                _byArgument[value.Argument] = (ap + (found ? 1 : 0), av + 1);
                if (history.HugeObservationTokens > 0)
                {
                    HugeValues++;
                    HugePreserved += found ? 1 : 0;
                }
            }

            Values += history.RequiredValues.Count;
            Preserved += preserved;
            AllPreserved += preserved == history.RequiredValues.Count ? 1 : 0;
            (int p, int v) = _byScenario.GetValueOrDefault(history.Scenario);
            _byScenario[history.Scenario] = (p + preserved, v + history.RequiredValues.Count);
        }

        public string Bucket(int bucket) => Percent(_bucketPreserved[bucket], _bucketValues[bucket]) + Inv($" ({_bucketValues[bucket]})");

        public int ArgumentCount(string argument) => _byArgument.GetValueOrDefault(argument).Values;

        public string Argument(string argument)
        {
            (int p, int v) = _byArgument.GetValueOrDefault(argument);
            return Percent(p, v);
        }

        public string Scenario(string scenario)
        {
            (int p, int v) = _byScenario.GetValueOrDefault(scenario);
            return Percent(p, v);
        }
    }
}
