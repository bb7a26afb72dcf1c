using ContextPress.Compression;
using ContextPress.Tests.TestSupport;
using ContextPress.Text;
using ContextPress.Tokens;

namespace ContextPress.Tests.Compression;

public class ReferenceModeTests
{
    [Theory]
    [InlineData(new[] { 1.0, 2.0, 3.0, 4.0 }, 50, 2.5)]
    [InlineData(new[] { 0.1, 0.2, 0.3 }, 10, 0.12)]
    [InlineData(new[] { 5.0 }, 68, 5.0)]
    [InlineData(new[] { 0.9, 0.1, 0.5, 0.3 }, 0, 0.1)]
    [InlineData(new[] { 0.9, 0.1, 0.5, 0.3 }, 100, 0.9)]
    public void Percentile_MatchesNumpyLinear(double[] values, int q, double expected)
    {
        Assert.Equal(expected, NumpyPercentile.Compute(values, default, q), 12);
    }

    [Fact]
    public void Percentile_RepeatsValuesByTokenWeight()
    {
        // np.percentile([0.2, 0.2, 0.9], 51) = 0.2 + 0.7 * 0.02
        Assert.Equal(0.214, NumpyPercentile.Compute([0.2, 0.9], [2, 1], 51), 12);
        Assert.True(double.IsNaN(NumpyPercentile.Compute([0.5], [0], 50)));
    }

    [Theory]
    [InlineData(0.33, 68)]
    [InlineData(0.5, 51)]
    [InlineData(0.7, 31)]
    [InlineData(0.9, 10)]
    public void PercentileIndex_TruncatesLikePython(double rate, int expected)
    {
        // int(100 * (1 - rate) + 1): 0.9 gives 10, not 11, because 1 - 0.9 = 0.0999...
        Assert.Equal(expected, (int)((100 * (1.0 - rate)) + 1));
    }

    [Fact]
    public async Task Selection_KeepsWordsStrictlyAboveTheTokenWeightedThreshold()
    {
        // Ten single-token words with probabilities 0.05..0.95; at rate 0.5 the threshold is the 51st percentile.
        string[] words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet"];
        string text = string.Join(" ", words);
        var scorer = new FunctionScorer(w => (Array.IndexOf(words, w) * 0.1f) + 0.05f);
        var compressor = new PromptCompressor(scorer, TiktokenTokenCounter.O200k);
        PromptCompressionResult result = await compressor.CompressAsync(text, new PromptCompressionOptions { Rate = 0.5, Mode = PromptCompressionMode.Reference }, cancellationToken: TestContext.Current.CancellationToken);

        int[] weights = result.Words.Select(w => TiktokenTokenCounter.Cl100k.CountTokens((w.CoreStart > w.Start ? "\u2581" : string.Empty) + w.Core(text).ToString())).ToArray();
        double[] probabilities = words.Select((_, i) => (double)((i * 0.1f) + 0.05f)).ToArray();
        double threshold = NumpyPercentile.Compute(probabilities, weights, 51);
        string expected = string.Join(" ", words.Where((_, i) => probabilities[i] > threshold));
        Assert.Equal(expected, result.Text);
        Assert.Equal("cl100k_base", result.EncodingName);
    }

    [Fact]
    public async Task ThresholdOfOne_KeepsOnlyWordsAtOne()
    {
        var scorer = new FunctionScorer(w => w == "keep" ? 1f : 0.2f);
        var compressor = new PromptCompressor(scorer, TiktokenTokenCounter.O200k);
        string text = "keep a b keep c d e f g h i j k l m n o p keep";
        PromptCompressionResult result = await compressor.CompressAsync(text, new PromptCompressionOptions { Rate = 0.05, Mode = PromptCompressionMode.Reference }, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal("keep keep keep", result.Text);
    }

    [Fact]
    public async Task ForceTokens_ScoreOne_AndDropConsecutiveKeepsOneOfARun()
    {
        var scorer = new FunctionScorer(w => w.Length > 5 ? 0.9f : 0.1f);
        var compressor = new PromptCompressor(scorer, TiktokenTokenCounter.O200k);
        string text = "important\n\n\nshort words are in this line\nanother important thing\n\nend of it all";
        PromptCompressionResult plain = await compressor.CompressAsync(text, new PromptCompressionOptions { Rate = 0.5, Mode = PromptCompressionMode.Reference, ForceTokens = ["\n"] }, cancellationToken: TestContext.Current.CancellationToken);
        PromptCompressionResult dropped = await compressor.CompressAsync(text, new PromptCompressionOptions { Rate = 0.5, Mode = PromptCompressionMode.Reference, ForceTokens = ["\n"], DropConsecutive = true }, cancellationToken: TestContext.Current.CancellationToken);

        // Every forced newline scores 1.0 and is kept; words carry a leading space only where whitespace preceded them.
        Assert.Equal("important\n\n\n\nanother important\n\n", plain.Text);

        // With drop_consecutive a newline repeating the previous one with nothing important between is dropped.
        Assert.Equal("important\nanother important\n", dropped.Text);
    }

    [Fact]
    public async Task Digits_AreForcedOnlyWhenAsked()
    {
        var scorer = new FunctionScorer(_ => 0.3f);
        var compressor = new PromptCompressor(scorer, TiktokenTokenCounter.O200k);
        string text = "pay 42 now or 17 later to the shop at once please";
        PromptCompressionResult forced = await compressor.CompressAsync(text, new PromptCompressionOptions { Rate = 0.3, Mode = PromptCompressionMode.Reference, ForceReserveDigit = true }, cancellationToken: TestContext.Current.CancellationToken);
        PromptCompressionResult plain = await compressor.CompressAsync(text, new PromptCompressionOptions { Rate = 0.3, Mode = PromptCompressionMode.Reference }, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal("42 17", forced.Text);
        Assert.Equal(string.Empty, plain.Text);
    }

    [Fact]
    public async Task Chunks_HoldAtMost510Tokens_AndAreCutAfterAPeriod()
    {
        var scorer = new FunctionScorer(_ => 0.5f);
        var compressor = new PromptCompressor(scorer, TiktokenTokenCounter.O200k);
        string text = SampleTexts.Prose(3000);
        PromptCompressionResult result = await compressor.CompressAsync(text, new PromptCompressionOptions { Rate = 0.5, Mode = PromptCompressionMode.Reference }, cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(result.Chunks >= 6);
        foreach ((_, string chunk) in scorer.Chunks.SkipLast(1))
        {
            var words = new List<WordSpan>();
            ReferenceWordSplitter.Instance.Split(chunk, [], words);
            int tokens = words.Sum(w => TiktokenTokenCounter.Cl100k.CountTokens((w.CoreStart > w.Start ? "\u2581" : string.Empty) + w.Core(chunk).ToString()));
            Assert.True(tokens <= 510, $"chunk of {tokens} tokens");
            Assert.EndsWith(".", chunk.TrimEnd(), StringComparison.Ordinal);
        }
    }
}
