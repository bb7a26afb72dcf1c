using System.Text;
using System.Text.RegularExpressions;
using ContextPress.Compression;
using ContextPress.Scoring;
using ContextPress.Tests.TestSupport;
using ContextPress.Tokens;

namespace ContextPress.Tests.Compression;

public partial class PromptCompressorTests
{
    private static readonly PromptCompressor s_compressor = PromptCompressor.CreateDefault();

    [Theory]
    [InlineData(0.1)]
    [InlineData(0.33)]
    [InlineData(0.5)]
    [InlineData(0.7)]
    [InlineData(0.9)]
    public async Task Rate_IsMetWithinAFewTokens_CountedExactly(double rate)
    {
        string text = SampleTexts.Prose(3000);
        PromptCompressionResult result = await s_compressor.CompressAsync(text, new PromptCompressionOptions { Rate = rate, ForceReserveDigit = false }, cancellationToken: TestContext.Current.CancellationToken);

        int budget = (int)Math.Floor(rate * result.OriginalTokens);
        Assert.Equal(TiktokenTokenCounter.O200k.Tokenizer.CountTokens(text), result.OriginalTokens);
        Assert.Equal(TiktokenTokenCounter.O200k.Tokenizer.CountTokens(result.Text), result.CompressedTokens);
        Assert.Equal(budget, result.TargetTokens);
        Assert.True(result.BudgetFeasible);
        Assert.InRange(result.CompressedTokens, budget - Math.Max(5, budget / 100), budget);
    }

    [Theory]
    [InlineData(40)]
    [InlineData(80)]
    [InlineData(120)]
    public async Task TargetTokens_OverridesRate_AndIsNeverExceeded(int target)
    {
        PromptCompressionResult result = await s_compressor.CompressAsync(
            SampleTexts.AgentProse,
            new PromptCompressionOptions { Rate = 0.9, TargetTokens = target, ForceReserveDigit = false }, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(target, result.TargetTokens);
        Assert.True(result.CompressedTokens <= target, $"{result.CompressedTokens} > {target}");
        Assert.True(result.CompressedTokens >= target - 6, $"{result.CompressedTokens} is far below {target}");
    }

    [Fact]
    public async Task TargetAboveInput_ReturnsInputUnchanged()
    {
        PromptCompressionResult result = await s_compressor.CompressAsync(SampleTexts.AgentProse, new PromptCompressionOptions { TargetTokens = 100_000 }, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(SampleTexts.AgentProse, result.Text);
        Assert.Equal(result.OriginalTokens, result.CompressedTokens);
        Assert.All(result.Kept, Assert.True);
    }

    [Fact]
    public async Task ForceTokens_AreAlwaysKept_IncludingPhrases()
    {
        string text = string.Concat(Enumerable.Repeat("Question: what is the refund status of the order? The answer is pending review by the team. ", 20));
        PromptCompressionResult result = await s_compressor.CompressAsync(
            text,
            new PromptCompressionOptions { Rate = 0.3, ForceTokens = ["?", "The answer is", "Question:"] }, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(20, TextAssert.CountOccurrences(result.Text, "?"));
        Assert.Equal(20, TextAssert.CountOccurrences(result.Text, "The answer is"));
        Assert.Equal(20, TextAssert.CountOccurrences(result.Text, "Question:"));
    }

    [Fact]
    public async Task Digits_AreForceKeptByDefault_AndCanBeReleased()
    {
        string text = SampleTexts.AgentProse;
        PromptCompressionResult kept = await s_compressor.CompressAsync(text, new PromptCompressionOptions { Rate = 0.4 }, cancellationToken: TestContext.Current.CancellationToken);
        foreach (Match number in Numbers().Matches(text))
        {
            Assert.Contains(number.Value, kept.Text, StringComparison.Ordinal);
        }

        var noDigitPreference = new FunctionScorer(_ => 0.5f);
        var compressor = new PromptCompressor(noDigitPreference, TiktokenTokenCounter.O200k);
        PromptCompressionResult released = await compressor.CompressAsync(text, new PromptCompressionOptions { Rate = 0.2, ForceReserveDigit = false }, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Contains(Numbers().Matches(text), m => !released.Text.Contains(m.Value, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Budget_IsInfeasible_WhenForcedWordsExceedIt_AndTheyAreStillKept()
    {
        string text = string.Join(" filler words here ", Enumerable.Range(1000, 60));
        PromptCompressionResult result = await s_compressor.CompressAsync(text, new PromptCompressionOptions { TargetTokens = 10 }, cancellationToken: TestContext.Current.CancellationToken);

        Assert.False(result.BudgetFeasible);
        for (int n = 1000; n < 1060; n++)
        {
            Assert.Contains(n.ToString(System.Globalization.CultureInfo.InvariantCulture), result.Text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Identifiers_AreKeptWholeOrDroppedWhole()
    {
        string[] identifiers = ["UM3OG5", "HAT136", "call_4f2", "ann.lee@example.com", "$1,234.50", "2024-01-05", "https://example.com/orders/HAT136?x=1"];
        foreach (double rate in new[] { 0.2, 0.35, 0.5 })
        {
            PromptCompressionResult result = await s_compressor.CompressAsync(SampleTexts.AgentProse, new PromptCompressionOptions { Rate = rate, ForceReserveDigit = false }, cancellationToken: TestContext.Current.CancellationToken);
            var kept = result.Words.Where((_, i) => result.Kept[i]).Select(w => w.Core(SampleTexts.AgentProse).ToString()).ToHashSet();
            foreach (string id in identifiers)
            {
                // Either the whole identifier is a kept word, or no fragment of it is in the output.
                if (!kept.Contains(id))
                {
                    Assert.DoesNotContain(id, result.Text, StringComparison.Ordinal);
                }
            }
        }

        PromptCompressionResult tight = await s_compressor.CompressAsync(SampleTexts.AgentProse, new PromptCompressionOptions { Rate = 0.33 }, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Contains("UM3OG5", tight.Text, StringComparison.Ordinal);
        Assert.Contains("call_4f2", tight.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Output_IsTheKeptWordsInOrder_WithOriginalSpacingAndLineBreaks()
    {
        string text = "First line has several words here\nSecond line also has words\n\nThird paragraph starts here";
        var scorer = new FunctionScorer(word => word is "First" or "Second" or "Third" or "words" ? 0.9f : 0.1f);
        var compressor = new PromptCompressor(scorer, TiktokenTokenCounter.O200k);
        int budget = TiktokenTokenCounter.O200k.CountTokens("First words\nSecond words\n\nThird");
        PromptCompressionResult result = await compressor.CompressAsync(text, new PromptCompressionOptions { TargetTokens = budget }, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal("First words\nSecond words\n\nThird", result.Text);
        Assert.Equal(result.Words.Count, result.Kept.Count);
    }

    [Fact]
    public async Task EmptyInput_GivesEmptyOutput_ForRateAndTarget()
    {
        foreach (PromptCompressionOptions options in new[] { new PromptCompressionOptions(), new PromptCompressionOptions { TargetTokens = 10 }, new PromptCompressionOptions { Mode = PromptCompressionMode.Reference, TargetTokens = 5 } })
        {
            PromptCompressionResult result = await s_compressor.CompressAsync(string.Empty, options, cancellationToken: TestContext.Current.CancellationToken);
            Assert.Equal(string.Empty, result.Text);
            Assert.Equal(0, result.OriginalTokens);
            Assert.Equal(0, result.CompressedTokens);
            Assert.Equal(1, result.Ratio);
        }

        PromptCompressionResult whitespace = await s_compressor.CompressAsync("   \n  ", cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal("   \n  ", whitespace.Text);
    }

    [Fact]
    public async Task HugeInput_TenMegabytes_MeetsTheBudget()
    {
        string text = SampleTexts.Prose(1_800_000);
        Assert.True(text.Length > 10_000_000);
        PromptCompressionResult result = await s_compressor.CompressAsync(text, new PromptCompressionOptions { Rate = 0.33, IncludeWordLabels = false }, cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(result.CompressedTokens <= result.TargetTokens || !result.BudgetFeasible);
        Assert.InRange(result.Rate, 0.25, 0.34);
    }

    [Fact]
    public async Task UnicodeInput_KeepsWholeCharacters_InOrder()
    {
        string text = string.Concat(Enumerable.Repeat(SampleTexts.MixedScripts + "\n", 10));
        foreach (double rate in new[] { 0.2, 0.5, 0.8 })
        {
            PromptCompressionResult result = await s_compressor.CompressAsync(text, new PromptCompressionOptions { Rate = rate }, cancellationToken: TestContext.Current.CancellationToken);
            TextAssert.WellFormedUtf16(result.Text);
            Assert.True(IsSubsequence(result.Text, text), "the output must be the input with words removed");
            Assert.True(result.CompressedTokens <= result.TargetTokens || !result.BudgetFeasible);
        }
    }

    [Fact]
    public async Task Compression_IsDeterministic_AcrossCallsAndInstances()
    {
        string text = SampleTexts.Prose(2000) + SampleTexts.AgentProse;
        var options = new PromptCompressionOptions { Rate = 0.4, ForceTokens = ["?"] };
        PromptCompressionResult first = await s_compressor.CompressAsync(text, options, cancellationToken: TestContext.Current.CancellationToken);
        PromptCompressionResult second = await s_compressor.CompressAsync(text, options, cancellationToken: TestContext.Current.CancellationToken);
        PromptCompressionResult third = await new PromptCompressor(new StatisticalTokenScorer(TiktokenTokenCounter.O200k), TiktokenTokenCounter.O200k).CompressAsync(text, options, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(first.Text, second.Text);
        Assert.Equal(first.Text, third.Text);
        Assert.Equal(first.Kept, third.Kept);
    }

    [Fact]
    public async Task LongInputs_AreScoredInChunksCutAtSentenceEnds()
    {
        var scorer = new FunctionScorer(_ => 0.5f, maxChunkTokens: 60);
        var compressor = new PromptCompressor(scorer, TiktokenTokenCounter.O200k);
        string text = SampleTexts.Prose(1000);
        PromptCompressionResult result = await compressor.CompressAsync(text, new PromptCompressionOptions { Rate = 0.5 }, cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(result.Chunks > 10);
        Assert.Equal(result.Chunks, scorer.Chunks.Count);
        Assert.Equal(result.Words.Count, scorer.Chunks.Sum(c => c.Words));
        foreach ((_, string chunkText) in scorer.Chunks.SkipLast(1))
        {
            Assert.True(TiktokenTokenCounter.O200k.CountTokens(chunkText) <= 60, chunkText);
            Assert.Contains(chunkText.TrimEnd()[^1], ".?!");
        }

        Assert.Equal(text.TrimEnd(), string.Concat(scorer.Chunks.Select(c => c.Text)).TrimEnd());
    }

    [Fact]
    public async Task Cancellation_IsObserved()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await s_compressor.CompressAsync(SampleTexts.AgentProse, cancellationToken: cts.Token));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public async Task BadRate_IsRejected(double rate)
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await s_compressor.CompressAsync("text", new PromptCompressionOptions { Rate = rate }, cancellationToken: TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task BadOptions_AreRejected()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await s_compressor.CompressAsync("text", new PromptCompressionOptions { TargetTokens = -1 }, cancellationToken: TestContext.Current.CancellationToken));
        await Assert.ThrowsAsync<ArgumentException>(async () => await s_compressor.CompressAsync("text", new PromptCompressionOptions { ForceTokens = [""] }, cancellationToken: TestContext.Current.CancellationToken));
        await Assert.ThrowsAsync<ArgumentNullException>(async () => await s_compressor.CompressAsync(null!, cancellationToken: TestContext.Current.CancellationToken));
    }



    private static bool IsSubsequence(string output, string input)
    {
        int j = 0;
        foreach (char c in output)
        {
            while (j < input.Length && input[j] != c)
            {
                j++;
            }

            if (j == input.Length)
            {
                return false;
            }

            j++;
        }

        return true;
    }

    [GeneratedRegex(@"\d[\d,.\-:]*\d|\d")]
    private static partial Regex Numbers();
}
