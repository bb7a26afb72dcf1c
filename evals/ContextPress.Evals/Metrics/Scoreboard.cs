using ContextPress.Evals.Running;

namespace ContextPress.Evals.Metrics;

/// <summary>The figures of one method at one ratio over a suite's episodes.</summary>
internal sealed record MethodScore(
    string Method,
    double Ratio,
    int Tasks,
    int TasksCompleted,
    int CompressedTurns,
    int FactsRequired,
    int FactsKept,
    int StepsWithAllFacts,
    int StepsWithFacts,
    double MeanTokensPerTurn,
    double MeanPeakTokens,
    double MeanCumulativeTokens,
    double MeanOracleSteps,
    double MeanDependency,
    double LatencyP50Ms,
    double LatencyP95Ms,
    double PrefixStability,
    double BudgetUse,
    double OverBudgetTurns)
{
    public double FactPreservation => FactsRequired == 0 ? 1 : (double)FactsKept / FactsRequired;

    public double Completion => Tasks == 0 ? 0 : (double)TasksCompleted / Tasks;

    public double StepsAllFactsShare => StepsWithFacts == 0 ? 1 : (double)StepsWithAllFacts / StepsWithFacts;
}

/// <summary>Aggregates episodes into <see cref="MethodScore"/>s.</summary>
internal static class Scoreboard
{
    /// <summary>Scores one method at one ratio. Fact figures count compressed turns only (under the trigger every method sends the whole history).</summary>
    public static MethodScore Score(IReadOnlyList<EpisodeRecord> episodes)
    {
        ArgumentOutOfRangeException.ThrowIfZero(episodes.Count);
        List<TurnRecord> compressed = episodes.SelectMany(e => e.Turns).Where(t => t.Compressed).ToList();
        List<TurnRecord> withFacts = compressed.Where(t => t.FactsRequired > 0).ToList();
        var latencies = compressed.Select(t => t.LatencyMs).ToList();
        long budget = compressed.Sum(t => (long)t.BudgetTokens);
        return new MethodScore(
            episodes[0].Method,
            episodes[0].Ratio,
            episodes.Count,
            episodes.Count(e => e.OracleCompleted),
            compressed.Count,
            withFacts.Sum(t => t.FactsRequired),
            withFacts.Sum(t => t.FactsKept),
            withFacts.Count(t => t.FactsKept == t.FactsRequired),
            withFacts.Count,
            episodes.SelectMany(e => e.Turns).Average(t => t.TokensSent),
            episodes.Average(e => e.Turns.Max(t => t.TokensSent)),
            episodes.Average(e => e.Turns.Sum(t => (double)t.TokensSent)),
            episodes.Average(e => e.OracleSteps),
            episodes.Average(e => (double)PromptMetrics.DependencyCost(e.Turns.Select(t => (t.TokensSent, t.OutputTokens)).ToList())),
            PromptMetrics.Percentile(latencies, 50),
            PromptMetrics.Percentile(latencies, 95),
            Stability(episodes),
            budget == 0 ? 0 : compressed.Sum(t => (double)t.TokensSent) / budget,
            compressed.Count == 0 ? 0 : (double)compressed.Count(t => t.TokensSent > t.BudgetTokens) / compressed.Count);
    }

    /// <summary>Prefix stability over all episodes: common-prefix tokens over tokens sent, turns 2..n of each.</summary>
    private static double Stability(IReadOnlyList<EpisodeRecord> episodes)
    {
        double reused = 0;
        double sent = 0;
        foreach (EpisodeRecord episode in episodes)
        {
            var prefix = episode.Turns.Select(t => t.CommonPrefixTokens).ToList();
            var tokens = episode.Turns.Select(t => t.TokensSent).ToList();
            double share = PromptMetrics.PrefixStability(prefix, tokens);
            double weight = tokens.Skip(1).Sum();
            reused += share * weight;
            sent += weight;
        }

        return sent == 0 ? 0 : reused / sent;
    }

    public static IReadOnlyList<MethodScore> ScoreAll(IEnumerable<EpisodeRecord> episodes) =>
        episodes.GroupBy(e => (e.Method, e.Ratio)).Select(g => Score(g.ToList())).ToList();
}
