using System.Text.Json;
using ContextPress.Compression;
using ContextPress.Scoring;
using ContextPress.Segments;
using ContextPress.Tests.TestSupport;
using ContextPress.Tokens;

namespace ContextPress.Tests.Segments;

public class SegmentCompressorTests
{
    private static readonly PromptCompressor s_prompt = PromptCompressor.CreateDefault();

    [Fact]
    public async Task SecondCompression_IsAllHits_AndByteIdenticalToTheFirst()
    {
        var cache = new InMemorySegmentCache();
        var compressor = new SegmentCompressor(s_prompt, cache);
        string document = SegmentTestDocuments.Paragraphs(12);
        CancellationToken ct = TestContext.Current.CancellationToken;

        SegmentCompressionResult first = await compressor.CompressAsync(document, cancellationToken: ct);
        SegmentCompressionResult second = await compressor.CompressAsync(document, cancellationToken: ct);

        Assert.Equal(12, first.Segments.Count);
        Assert.Equal(12, first.CacheMisses);
        Assert.Equal(0, first.CacheHits);
        Assert.Equal(12, second.CacheHits);
        Assert.Equal(0, second.CacheMisses);
        Assert.Equal(first.Text, second.Text);
        Assert.Equal(12, cache.Count);
        Assert.True(first.CompressedTokens < first.OriginalTokens * 0.7, $"{first.OriginalTokens} -> {first.CompressedTokens}");

        // A fresh compressor and cache produce the same bytes: cached output == fresh output.
        SegmentCompressionResult uncached = await new SegmentCompressor(s_prompt, new InMemorySegmentCache()).CompressAsync(document, cancellationToken: ct);
        Assert.Equal(first.Text, uncached.Text);
    }

    [Fact]
    public async Task ProseSegments_AreThePromptCompressorsOutput_JoinedWithTheOriginalSeparators()
    {
        var compressor = new SegmentCompressor(s_prompt);
        string document = SegmentTestDocuments.Paragraphs(3, seed: 4);
        var options = new SegmentCompressionOptions { Rate = 0.4 };
        SegmentCompressionResult result = await compressor.CompressAsync(document, options, TestContext.Current.CancellationToken);

        string[] paragraphs = document.Split("\n\n");
        var expected = new List<string>();
        foreach (string paragraph in paragraphs)
        {
            PromptCompressionResult one = await s_prompt.CompressAsync(paragraph, new PromptCompressionOptions { Rate = 0.4 }, TestContext.Current.CancellationToken);
            expected.Add(one.Text);
        }

        Assert.Equal(string.Join("\n\n", expected), result.Text);
        Assert.All(result.Segments, s => Assert.True(s.Tokens <= Math.Floor(0.4 * s.Segment.Tokens) + 1));
    }

    [Fact]
    public async Task JsonArray_CompressesEachElement_IntoValidJsonKeepingIds()
    {
        var compressor = new SegmentCompressor(s_prompt);
        string json = SegmentTestDocuments.Orders(20);
        CancellationToken ct = TestContext.Current.CancellationToken;
        SegmentCompressionResult result = await compressor.CompressAsync(json, cancellationToken: ct);

        using JsonDocument parsed = JsonDocument.Parse(result.Text);
        Assert.Equal(20, parsed.RootElement.GetArrayLength());
        for (int i = 0; i < 20; i++)
        {
            JsonElement order = parsed.RootElement[i];
            Assert.Equal($"ORD-{1000 + i}", order.GetProperty("id").GetString());
            Assert.Equal(10 + i + 0.5, order.GetProperty("amount").GetDouble());
            Assert.False(order.TryGetProperty("coupon", out _)); // nulls dropped
        }

        Assert.True(result.CompressedTokens < result.OriginalTokens);
        Assert.Equal(20, (await compressor.CompressAsync(json, cancellationToken: ct)).CacheHits);

        // The same data formatted differently is the same segments: all hits.
        string minified = JsonSerializer.Serialize(JsonDocument.Parse(json).RootElement);
        Assert.Equal(20, (await compressor.CompressAsync(minified, cancellationToken: ct)).CacheHits);
    }

    [Fact]
    public async Task ShortSegments_AreKeptVerbatim_AndNeverLookedUp()
    {
        var cache = new InMemorySegmentCache();
        var compressor = new SegmentCompressor(s_prompt, cache);
        string document = "Short title\n\n" + SegmentTestDocuments.Paragraphs(1) + "\n\nOK.";
        SegmentCompressionResult result = await compressor.CompressAsync(document, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal([SegmentSource.Verbatim, SegmentSource.Compressed, SegmentSource.Verbatim], result.Segments.Select(s => s.Source));
        Assert.StartsWith("Short title\n\n", result.Text, StringComparison.Ordinal);
        Assert.EndsWith("\n\nOK.", result.Text, StringComparison.Ordinal);
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public async Task RepeatedSegments_AreCompressedOnce()
    {
        var cache = new InMemorySegmentCache();
        var compressor = new SegmentCompressor(s_prompt, cache);
        string paragraph = SegmentTestDocuments.Paragraphs(1);
        SegmentCompressionResult result = await compressor.CompressAsync(paragraph + "\n\n" + paragraph, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(1, cache.Count);
        Assert.Equal(result.Segments[0].Text, result.Segments[1].Text);
    }

    [Fact]
    public async Task ChangedRateNamespaceOrScorer_Misses_SameSettingsHit()
    {
        var cache = new InMemorySegmentCache();
        string document = SegmentTestDocuments.Paragraphs(5);
        CancellationToken ct = TestContext.Current.CancellationToken;
        var compressor = new SegmentCompressor(s_prompt, cache);
        await compressor.CompressAsync(document, cancellationToken: ct);

        Assert.Equal(5, (await compressor.CompressAsync(document, new SegmentCompressionOptions(), ct)).CacheHits);
        Assert.Equal(5, (await compressor.CompressAsync(document, new SegmentCompressionOptions { Rate = 0.3 }, ct)).CacheMisses);
        Assert.Equal(5, (await compressor.CompressAsync(document, new SegmentCompressionOptions { Namespace = "tenant-b" }, ct)).CacheMisses);
        Assert.Equal(5, (await compressor.CompressAsync(document, new SegmentCompressionOptions { ForceTokens = ["Section"] }, ct)).CacheMisses);

        var otherScorer = new SegmentCompressor(new PromptCompressor(new FunctionScorer(w => w.Length / 20f), TiktokenTokenCounter.O200k), cache);
        SegmentCompressionResult other = await otherScorer.CompressAsync(document, cancellationToken: ct);
        Assert.Equal(5, other.CacheMisses);
        Assert.NotEqual(compressor.GetFingerprint(), otherScorer.GetFingerprint());

        var otherEncoding = new SegmentCompressor(new PromptCompressor(StatisticalTokenScorer.Default, TiktokenTokenCounter.Cl100k), cache);
        Assert.Equal(5, (await otherEncoding.CompressAsync(document, cancellationToken: ct)).CacheMisses);
    }

    [Fact]
    public void CacheKeys_DifferInEveryComponent()
    {
        SegmentCacheKey baseline = SegmentCacheKey.Create("t1", "fp", SegmentKind.Prose, "text");
        Assert.Equal(baseline, SegmentCacheKey.Create("t1", "fp", SegmentKind.Prose, "text"));
        Assert.Equal(64, baseline.Id.Length);
        SegmentCacheKey[] variants =
        [
            SegmentCacheKey.Create("t2", "fp", SegmentKind.Prose, "text"),
            SegmentCacheKey.Create("t1", "fp2", SegmentKind.Prose, "text"),
            SegmentCacheKey.Create("t1", "fp", SegmentKind.Json, "text"),
            SegmentCacheKey.Create("t1", "fp", SegmentKind.Prose, "text "),

            // Length prefixes: moving characters between fields changes the key.
            SegmentCacheKey.Create("t1", "fpt", SegmentKind.Prose, "ext"),
        ];
        Assert.All(variants, v => Assert.NotEqual(baseline.Id, v.Id));
        Assert.Equal(variants.Length, variants.Select(v => v.Id).Distinct().Count());
        Assert.Throws<ArgumentException>(() => SegmentCacheKey.Create("bad{tag}", "fp", SegmentKind.Prose, "x"));
        Assert.Throws<ArgumentException>(() => SegmentCacheKey.Create(string.Empty, "fp", SegmentKind.Prose, "x"));
    }

    [Fact]
    public async Task FailingCache_NeverFailsACompression()
    {
        var failing = new FailingCache();
        var compressor = new SegmentCompressor(s_prompt, failing);
        string document = SegmentTestDocuments.Paragraphs(4);
        SegmentCompressionResult result = await compressor.CompressAsync(document, cancellationToken: TestContext.Current.CancellationToken);
        SegmentCompressionResult reference = await new SegmentCompressor(s_prompt).CompressAsync(document, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(reference.Text, result.Text);
        Assert.Equal(4, result.CacheMisses);
        Assert.Equal(1, failing.Gets);
        Assert.Equal(1, failing.Sets);
    }

    [Fact]
    public async Task Selection_KeepsTheRelevantSegments_InDocumentOrder_WithinTheBudget()
    {
        string document =
            "The warehouse in Lyon stores winter jackets and ships them to customers in France every Monday morning, after inventory checks are complete.\n\n" +
            "Refund policy: a customer may ask for a refund within thirty days; the refund goes back to the original card and takes five business days.\n\n" +
            "The marketing team plans a spring campaign with new colours, photo shoots in Lisbon and a partnership with a cycling club in Porto.\n\n" +
            "Refunds for damaged packages are approved at once when the customer sends a photo of the damaged package to the support team.";
        var compressor = new SegmentCompressor(s_prompt);
        var options = new SegmentCompressionOptions { MinCompressTokens = 4 };
        SegmentCompressionResult full = await compressor.CompressAsync(document, options, TestContext.Current.CancellationToken);
        int budget = full.Segments[1].Tokens + full.Segments[3].Tokens;

        SegmentSelectionResult selection = await compressor.CompressForQuestionAsync(document, "How long does a refund for a damaged package take?", budget, options, TestContext.Current.CancellationToken);
        Assert.Equal([1, 3], selection.SelectedIndices);
        Assert.True(selection.Tokens <= budget);
        Assert.Equal(full.Segments[1].Text + "\n\n" + full.Segments[3].Text, selection.Text);
        Assert.True(selection.Scores[1] > selection.Scores[0] && selection.Scores[3] > selection.Scores[2]);
        Assert.Equal(4, selection.Compression.CacheHits); // the compression underneath came from the cache

        SegmentSelectionResult none = SegmentSelector.Select(full, "refund", 0);
        Assert.Empty(none.SelectedIndices);
        Assert.Equal(string.Empty, none.Text);
    }

    [Fact]
    public async Task Selection_OnAJsonArray_IsValidJsonWithAnOmissionMarker()
    {
        var compressor = new SegmentCompressor(s_prompt);
        string json = SegmentTestDocuments.Orders(10).Replace("ORD-1004", "ORD-1004 urgent escalation", StringComparison.Ordinal);
        SegmentCompressionResult full = await compressor.CompressAsync(json, cancellationToken: TestContext.Current.CancellationToken);
        SegmentSelectionResult selection = SegmentSelector.Select(full, "urgent escalation", full.Segments[4].Tokens);
        Assert.Equal([4], selection.SelectedIndices);
        using JsonDocument parsed = JsonDocument.Parse(selection.Text);
        Assert.Equal(2, parsed.RootElement.GetArrayLength());
        Assert.Equal("ORD-1004 urgent escalation", parsed.RootElement[0].GetProperty("id").GetString());
        Assert.True(ContextPress.Compression.Json.StructuredJsonCompressor.TryParseOmittedItemsMarker(parsed.RootElement[1].GetString(), out int omitted));
        Assert.Equal(9, omitted);
    }

    [Fact]
    public async Task ConcurrentAgents_SharingACache_GetIdenticalOutputs()
    {
        var cache = new InMemorySegmentCache();
        var compressor = new SegmentCompressor(s_prompt, cache);
        string[] documents = [SegmentTestDocuments.Paragraphs(8, seed: 1), SegmentTestDocuments.Paragraphs(8, seed: 2), SegmentTestDocuments.Orders(8)];
        string[] expected = new string[documents.Length];
        for (int d = 0; d < documents.Length; d++)
        {
            expected[d] = (await new SegmentCompressor(s_prompt, new InMemorySegmentCache()).CompressAsync(documents[d], cancellationToken: TestContext.Current.CancellationToken)).Text;
        }

        await Parallel.ForAsync(0, 48, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = TestContext.Current.CancellationToken }, async (i, ct) =>
        {
            SegmentCompressionResult result = await compressor.CompressAsync(documents[i % documents.Length], cancellationToken: ct);
            Assert.Equal(expected[i % documents.Length], result.Text);
        });

        Assert.Equal(24, cache.Count);
        SegmentCompressionResult after = await compressor.CompressAsync(documents[0], cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(8, after.CacheHits);
    }

    [Fact]
    public void Options_AreValidated()
    {
        var compressor = new SegmentCompressor(s_prompt);
        Assert.Throws<ArgumentOutOfRangeException>(() => compressor.Segment("x", new SegmentCompressionOptions { Rate = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => compressor.Segment("x", new SegmentCompressionOptions { MaxSegmentTokens = 0 }));
        Assert.Throws<ArgumentException>(() => compressor.Segment("x", new SegmentCompressionOptions { Namespace = "has space" }));
        Assert.Throws<ArgumentOutOfRangeException>(() => compressor.Segment("x", new SegmentCompressionOptions { TimeToLive = TimeSpan.Zero }));
    }

    private sealed class FailingCache : ISegmentCache
    {
        public int Gets { get; private set; }

        public int Sets { get; private set; }

        public ValueTask<IReadOnlyList<CachedSegment?>> GetManyAsync(IReadOnlyList<SegmentCacheKey> keys, CancellationToken cancellationToken = default)
        {
            Gets++;
            throw new TimeoutException("backend timed out");
        }

        public ValueTask SetManyAsync(IReadOnlyList<SegmentCacheEntry> entries, TimeSpan? timeToLive = null, CancellationToken cancellationToken = default)
        {
            Sets++;
            throw new InvalidOperationException("backend down");
        }
    }
}
