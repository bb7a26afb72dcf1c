using System.Globalization;
using System.Text;
using ContextPress.Evals.Metrics;
using ContextPress.Evals.Research;
using ContextPress.Evals.Running;
using ContextPress.Evals.Tasks;

namespace ContextPress.Evals.Reporting;

/// <summary>Everything one run produced, for the report.</summary>
internal sealed record RunResults(
    SuiteOptions Options,
    IReadOnlyList<EpisodeRecord> Episodes,
    IReadOnlyList<MethodScore> Scores,
    IReadOnlyList<string> MethodOrder,
    IReadOnlyList<RetentionPoint> Retention,
    string RetentionNote,
    string LlmSection,
    IReadOnlyList<string> Notes,
    TimeSpan Elapsed);

/// <summary>Writes the markdown report.</summary>
internal static class ReportWriter
{
    public static string Write(RunResults run, IReadOnlyDictionary<string, string> plots)
    {
        var md = new StringBuilder();
        SuiteOptions o = run.Options;
        md.AppendLine(Inv($"# ContextPress evaluation (AppWorld-style), suite `{o.Name}`"));
        md.AppendLine();
        md.AppendLine(Inv($"`dotnet run -c Release --project evals/ContextPress.Evals -- --suite {o.Name}` · seed {o.Seed} · {run.Episodes.Select(e => e.TaskId).Distinct().Count()} tasks ({TaskFamilies.All.Count} families × {o.InstancesPerFamily}) · ratios {string.Join(", ", o.Ratios.Select(r => r.ToString("0.00", CultureInfo.InvariantCulture)))} · o200k tokens · trigger {o.TriggerTokens:N0} tokens · {Environment.ProcessorCount} cores · {run.Elapsed.TotalSeconds:0} s"));
        md.AppendLine();
        md.AppendLine("Every figure below comes from this run. Budget per turn = system tokens + ratio × the uncompressed history's non-system tokens; histories under the trigger are sent whole by every method. Fact figures count the turns over the trigger; token figures count every turn of the full replay (the same turns for every method).");
        md.AppendLine();

        md.AppendLine("## Task families");
        md.AppendLine();
        md.AppendLine("| family | what it tests | steps | required facts | peak uncompressed tokens (max) |");
        md.AppendLine("|---|---|---|---|---|");
        List<EpisodeRecord> whole = run.Episodes.Where(e => e.Method == run.MethodOrder[0] && e.Ratio == o.Ratios[0]).ToList();
        foreach ((string name, string tests, _) in TaskFamilies.All)
        {
            var episodes = whole.Where(e => e.Family == name).ToList();
            if (episodes.Count == 0)
            {
                continue;
            }

            md.AppendLine(Inv($"| {name} | {tests} | {episodes.Average(e => e.Turns.Count):0.#} | {episodes.Average(e => e.Turns.Sum(t => t.FactsRequired)):0.#} | {episodes.Max(e => e.Turns.Max(t => t.UncompressedTokens)):N0} |"));
        }

        md.AppendLine();
        md.AppendLine("## Methods compared at equal budgets");
        md.AppendLine();
        md.AppendLine("| ratio | method | required facts kept | steps with all facts | oracle tasks completed | tokens / turn | peak tokens | cumulative tokens | oracle steps | dependency (M) | latency p50 / p95 (ms) | prefix stability | tokens / budget | turns over budget | segment-cache hits |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (double ratio in o.Ratios)
        {
            foreach (string method in run.MethodOrder)
            {
                MethodScore? s = run.Scores.FirstOrDefault(x => x.Method == method && x.Ratio == ratio);
                if (s is null)
                {
                    continue;
                }

                string bold = method.StartsWith("ContextPress +", StringComparison.Ordinal) ? "**" : string.Empty;
                md.AppendLine(Inv($"| {ratio:0.00} | {bold}{method}{bold} | {100 * s.FactPreservation:0.0} % | {100 * s.StepsAllFactsShare:0.0} % | {s.TasksCompleted}/{s.Tasks} ({100 * s.Completion:0} %) | {s.MeanTokensPerTurn:N0} | {s.MeanPeakTokens:N0} | {s.MeanCumulativeTokens:N0} | {s.MeanOracleSteps:0.0} | {s.MeanDependency / 1e6:0.00} | {s.LatencyP50Ms:0.0} / {s.LatencyP95Ms:0.0} | {100 * s.PrefixStability:0.0} % | {100 * s.BudgetUse:0} % | {100 * s.OverBudgetTurns:0} % | n/a |"));
            }
        }

        md.AppendLine();
        md.AppendLine("- **required facts kept**: of the values the next gold call needs (ids, tokens, passwords, amounts, e-mails, dates), the share present verbatim in what the method sends. **steps with all facts**: turns where none was missing.");
        md.AppendLine("- **oracle tasks completed**: the oracle agent copies every argument from the compressed context and fails at the first step whose fact is gone; a task completes when every step ran and the world holds the expected state changes.");
        md.AppendLine("- **tokens / turn, peak, cumulative**: tokens sent per model call (mean), the largest call of a task and the sum over a task (means over tasks). **oracle steps**: steps the oracle ran before completing or failing.");
        md.AppendLine("- **dependency**: ACON's dependency cost as we read it — Σ over turns of input tokens × output tokens (the call the agent generates), in millions, mean per task.");
        md.AppendLine("- **prefix stability**: tokens of each prompt that repeat the previous turn's prompt from its first character (what a provider's prompt cache can reuse), over the tokens sent on turns 2..n.");
        md.AppendLine("- **tokens / budget, turns over budget**: on compressed turns; a method goes over when what it must keep (ContextPress: system, request, latest step) alone exceeds the budget, or when it cannot cut (SK's reducer).");
        md.AppendLine("- **segment-cache hits**: n/a — no segment cache is wired into ContextPress yet; `IHistoryMethod.CacheStatistics` is the seam that fills this column.");
        md.AppendLine();

        foreach ((string title, string file) in plots)
        {
            md.AppendLine(Inv($"![{title}]({file})"));
            md.AppendLine();
        }

        foreach (double ratio in o.Ratios)
        {
            md.AppendLine(Inv($"## Oracle completion per family (ratio {ratio:0.00})"));
            md.AppendLine();
            md.AppendLine("| family | " + string.Join(" | ", run.MethodOrder) + " |");
            md.AppendLine("|---|" + string.Concat(run.MethodOrder.Select(_ => "---|")));
            foreach ((string name, _, _) in TaskFamilies.All)
            {
                var cells = run.MethodOrder.Select(m =>
                {
                    var eps = run.Episodes.Where(e => e.Family == name && e.Method == m && e.Ratio == ratio).ToList();
                    return eps.Count == 0 ? "–" : Inv($"{eps.Count(e => e.OracleCompleted)}/{eps.Count}");
                });
                md.AppendLine($"| {name} | " + string.Join(" | ", cells) + " |");
            }

            md.AppendLine();
        }

        double taskRatio = o.Ratios.Contains(0.5) ? 0.5 : o.Ratios[0];
        md.AppendLine(Inv($"## Oracle outcome per task (ratio {taskRatio:0.00})"));
        md.AppendLine();
        md.AppendLine("✓ completed; ✗ k: failed at step k (0-based) for a missing fact.");
        md.AppendLine();
        md.AppendLine("| task | " + string.Join(" | ", run.MethodOrder) + " |");
        md.AppendLine("|---|" + string.Concat(run.MethodOrder.Select(_ => "---|")));
        foreach (string taskId in run.Episodes.Select(e => e.TaskId).Distinct())
        {
            var cells = run.MethodOrder.Select(m => run.Episodes.FirstOrDefault(e => e.TaskId == taskId && e.Method == m && e.Ratio == taskRatio) is { } e
                ? (e.OracleCompleted ? "✓" : Inv($"✗ {e.OracleFailedStep}"))
                : "–");
            md.AppendLine($"| {taskId} | " + string.Join(" | ", cells) + " |");
        }

        md.AppendLine();
        md.AppendLine("## Where the oracle failed (first missing fact, by the step's tool)");
        md.AppendLine();
        md.AppendLine("| method | ratio | failures by tool of the failing step |");
        md.AppendLine("|---|---|---|");
        foreach (IGrouping<(string Method, double Ratio), EpisodeRecord> g in run.Episodes.Where(e => e.OracleFailedStep is not null).GroupBy(e => (e.Method, e.Ratio)).OrderBy(g => run.MethodOrder.ToList().IndexOf(g.Key.Method)).ThenByDescending(g => g.Key.Ratio))
        {
            var byTool = g.GroupBy(e => e.FailedTool).OrderByDescending(x => x.Count()).Select(x => Inv($"{x.Key} ×{x.Count()}"));
            md.AppendLine(Inv($"| {g.Key.Method} | {g.Key.Ratio:0.00} | {string.Join(", ", byTool)} |"));
        }

        md.AppendLine();
        md.AppendLine("## Prompt-compression sets (research data)");
        md.AppendLine();
        md.AppendLine(run.RetentionNote);
        md.AppendLine();
        if (run.Retention.Count > 0)
        {
            md.AppendLine("| data set | scorer | n | rate | retention | achieved rate |");
            md.AppendLine("|---|---|---|---|---|---|");
            foreach (RetentionPoint p in run.Retention)
            {
                md.AppendLine(Inv($"| {p.DataSet} | {p.Method} | {p.Examples} | {p.Rate:0.00} | {100 * p.Retention:0.0} % | {p.AchievedRate:0.000} |"));
            }

            md.AppendLine();
        }

        md.AppendLine("## Real LLM mode");
        md.AppendLine();
        md.AppendLine(run.LlmSection);
        md.AppendLine();
        if (run.Notes.Count > 0)
        {
            md.AppendLine("## Notes from this run");
            md.AppendLine();
            foreach (string note in run.Notes)
            {
                md.AppendLine("- " + note);
            }

            md.AppendLine();
        }

        return md.ToString();
    }

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
