using ContextPress.Evals.Metrics;
using ContextPress.Evals.Running;
using ScottPlot;

namespace ContextPress.Evals.Reporting;

/// <summary>PNG plots of a run (ScottPlot on SkiaSharp).</summary>
internal static class Plots
{
    /// <summary>Required-fact preservation against the target ratio, one line per method.</summary>
    public static void RetentionAgainstRatio(IReadOnlyList<MethodScore> scores, string path)
    {
        var plot = new Plot();
        foreach (IGrouping<string, MethodScore> method in scores.GroupBy(s => s.Method))
        {
            var points = method.OrderBy(s => s.Ratio).ToList();
            var line = plot.Add.Scatter(points.Select(s => s.Ratio).ToArray(), points.Select(s => 100 * s.FactPreservation).ToArray());
            line.LegendText = method.Key;
            line.MarkerSize = 7;
        }

        plot.Title("Required facts kept vs target ratio");
        plot.XLabel("target ratio (budget / uncompressed non-system tokens)");
        plot.YLabel("required facts kept (%)");
        plot.Axes.SetLimitsY(0, 105);
        plot.ShowLegend(Alignment.LowerRight);
        plot.SavePng(path, 900, 560);
    }

    /// <summary>Mean tokens sent at each step (over tasks that have that step), one line per method.</summary>
    public static void TokensPerTurn(IReadOnlyList<EpisodeRecord> episodes, double ratio, string path)
    {
        var plot = new Plot();
        foreach (IGrouping<string, EpisodeRecord> method in episodes.Where(e => e.Ratio == ratio).GroupBy(e => e.Method))
        {
            int steps = method.Max(e => e.Turns.Count);
            var xs = new List<double>();
            var ys = new List<double>();
            for (int k = 0; k < steps; k++)
            {
                var at = method.Where(e => e.Turns.Count > k).Select(e => (double)e.Turns[k].TokensSent).ToList();
                xs.Add(k + 1);
                ys.Add(at.Average());
            }

            var line = plot.Add.Scatter(xs.ToArray(), ys.ToArray());
            line.LegendText = method.Key;
        }

        plot.Title(FormattableString.Invariant($"Tokens sent per turn (ratio {ratio:0.00}, mean over tasks)"));
        plot.XLabel("turn (step of the gold plan)");
        plot.YLabel("tokens sent");
        plot.ShowLegend(Alignment.UpperLeft);
        plot.SavePng(path, 900, 560);
    }

    /// <summary>Answer retention of the prompt-compression sets against rate, one line per data set and scorer.</summary>
    public static void PromptRetention(IReadOnlyList<Research.RetentionPoint> points, string path)
    {
        var plot = new Plot();
        foreach (IGrouping<string, Research.RetentionPoint> set in points.GroupBy(p => $"{p.DataSet} · {p.Method}"))
        {
            var ordered = set.OrderBy(p => p.Rate).ToList();
            var line = plot.Add.Scatter(ordered.Select(p => p.Rate).ToArray(), ordered.Select(p => 100 * p.Retention).ToArray());
            line.LegendText = set.Key;
        }

        plot.Title("Prompt compression: retention vs rate");
        plot.XLabel("rate (kept tokens / original tokens)");
        plot.YLabel("retention (%)");
        plot.Axes.SetLimitsY(0, 105);
        plot.ShowLegend(Alignment.LowerRight);
        plot.SavePng(path, 900, 560);
    }
}
