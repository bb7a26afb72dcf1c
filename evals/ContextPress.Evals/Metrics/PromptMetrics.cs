using ContextPress.Context;
using ContextPress.Tokens;

namespace ContextPress.Evals.Metrics;

/// <summary>Metrics over the prompts of consecutive turns.</summary>
internal static class PromptMetrics
{
    /// <summary>The prompt as a provider's prefix cache sees it: messages in order, role, text and calls.</summary>
    public static string Serialize(IReadOnlyList<ContextItem> items)
    {
        var text = new System.Text.StringBuilder();
        foreach (ContextItem item in items)
        {
            text.Append('<').Append(item.Role).Append('>').Append(item.Text);
            foreach (ToolCall call in item.ToolCalls)
            {
                text.Append("<call ").Append(call.CallId).Append(' ').Append(call.Name).Append('>').Append(call.ArgumentsJson);
            }

            text.Append('\n');
        }

        return text.ToString();
    }

    /// <summary>Tokens of the longest common prefix of two prompts (what a prompt cache could reuse from the previous turn).</summary>
    public static int CommonPrefixTokens(ITokenCounter counter, string previous, string current)
    {
        ArgumentNullException.ThrowIfNull(counter);
        int length = previous.AsSpan().CommonPrefixLength(current);
        return length == 0 ? 0 : counter.CountTokens(previous.AsSpan(0, length));
    }

    /// <summary>
    /// Prefix stability of a run: the share of the tokens sent on turns 2..n that repeat the previous turn's prompt prefix
    /// (sum of common-prefix tokens / sum of prompt tokens). Close to 1 for an append-only history; 0 when every
    /// prompt starts differently.
    /// </summary>
    public static double PrefixStability(IReadOnlyList<int> commonPrefixTokens, IReadOnlyList<int> promptTokens)
    {
        long reused = 0;
        long sent = 0;
        for (int t = 1; t < promptTokens.Count; t++)
        {
            reused += commonPrefixTokens[t];
            sent += promptTokens[t];
        }

        return sent == 0 ? 0 : (double)reused / sent;
    }

    /// <summary>
    /// ACON's dependency cost: over the turns, the tokens each generated token depends on — input tokens times output
    /// tokens, summed (our reading of ACON's "Dependency").
    /// </summary>
    public static long DependencyCost(IReadOnlyList<(int InputTokens, int OutputTokens)> turns) =>
        turns.Sum(t => (long)t.InputTokens * t.OutputTokens);

    /// <summary>The <paramref name="p"/>-th percentile (0..100), linear between closest ranks.</summary>
    public static double Percentile(IReadOnlyList<double> values, double p)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        double[] sorted = [.. values.Order()];
        double rank = p / 100 * (sorted.Length - 1);
        int low = (int)Math.Floor(rank);
        int high = (int)Math.Ceiling(rank);
        return sorted[low] + ((sorted[high] - sorted[low]) * (rank - low));
    }
}
