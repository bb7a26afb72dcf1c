using ContextPress.Evals.Metrics;
using ContextPress.Tokens;

namespace ContextPress.Evals.Tests;

public sealed class MetricsTests
{
    [Fact]
    public void CommonPrefixCountsTheSharedStartOnly()
    {
        var counter = new CharCounter();

        Assert.Equal(6, PromptMetrics.CommonPrefixTokens(counter, "abcdefXYZ", "abcdef123"));
        Assert.Equal(0, PromptMetrics.CommonPrefixTokens(counter, "xbc", "abc"));
        Assert.Equal(3, PromptMetrics.CommonPrefixTokens(counter, "abc", "abcdef"));
    }

    [Fact]
    public void PrefixStabilityIsReusedOverSentFromTheSecondTurn()
    {
        // Turn 1 sends 100 (nothing to reuse), turn 2 sends 150 reusing 100, turn 3 sends 50 reusing 0.
        double stability = PromptMetrics.PrefixStability([0, 100, 0], [100, 150, 50]);

        Assert.Equal(0.5, stability, 6);
        Assert.Equal(1.0, PromptMetrics.PrefixStability([0, 10, 20], [10, 10, 20]), 6);
    }

    [Fact]
    public void DependencyCostSumsInputTimesOutput()
    {
        Assert.Equal(100 * 10 + 200 * 20 + 0, PromptMetrics.DependencyCost([(100, 10), (200, 20), (300, 0)]));
        Assert.Equal(0, PromptMetrics.DependencyCost([]));
    }

    [Fact]
    public void PercentileInterpolatesBetweenRanks()
    {
        double[] values = [4, 1, 3, 2];

        Assert.Equal(2.5, PromptMetrics.Percentile(values, 50), 6);
        Assert.Equal(3.85, PromptMetrics.Percentile(values, 95), 6);
        Assert.True(double.IsNaN(PromptMetrics.Percentile([], 50)));
    }

    [Fact]
    public void SerializedPromptsOfAnAppendOnlyHistoryShareTheWholePreviousPrompt()
    {
        var counter = new CharCounter();
        List<Context.ContextItem> turn1 = [Context.ContextItem.System("s"), Context.ContextItem.User("u")];
        List<Context.ContextItem> turn2 = [.. turn1, Context.ContextItem.Assistant("a")];
        string p1 = PromptMetrics.Serialize(turn1);

        Assert.Equal(p1.Length, PromptMetrics.CommonPrefixTokens(counter, p1, PromptMetrics.Serialize(turn2)));
    }

    /// <summary>One token per character: exact expectations on hand-made inputs.</summary>
    private sealed class CharCounter : ITokenCounter
    {
        public string EncodingName => "chars";

        public int CountTokens(ReadOnlySpan<char> text) => text.Length;
    }
}
