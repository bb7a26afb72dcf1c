using ContextPress.Compression;
using ContextPress.History;
using ContextPress.Observations;
using ContextPress.Segments;
using ContextPress.Tests.TestSupport;

namespace ContextPress.Tests.Observations;

public class CachedObservationCompressionTests
{
    private static readonly string[] s_names = ["Harborview", "Quintara", "Belmonte", "Ostrava", "Lindqvist", "Marlowe", "Tessaly", "Corvina", "Ambrose", "Dunmore"];

    private static string Document() =>
        string.Join("\n\n", s_names.Select((name, i) => $"{name} sent the usual weekly note. {SampleTexts.Prose(60, seed: i).ReplaceLineEndings(" ")}"));

    private static ObservationCompressor Create(out InMemorySegmentCache cache)
    {
        PromptCompressor prompt = PromptCompressor.CreateDefault();
        cache = new InMemorySegmentCache();
        return new ObservationCompressor(prompt, segmentCompressor: new SegmentCompressor(prompt, cache));
    }

    [Fact]
    public async Task ARecurringResult_IsCompressedOnce_ThenServedFromTheSegmentCache()
    {
        ObservationCompressor compressor = Create(out InMemorySegmentCache cache);
        var options = new ObservationCompressionOptions { ThresholdTokens = 50, TargetRatio = 0.5 };
        string document = Document();

        ObservationCompressionResult first = await compressor.CompressAsync(document, options, cancellationToken: TestContext.Current.CancellationToken);
        int entries = cache.Count;
        ObservationCompressionResult second = await compressor.CompressAsync(document, options, cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(first.Compressed);
        Assert.True(first.SegmentCacheMisses > 0);
        Assert.Equal(0, second.SegmentCacheMisses);
        Assert.Equal(first.SegmentCacheMisses, second.SegmentCacheHits);
        Assert.Equal(first.Text, second.Text);
        Assert.Equal(entries, cache.Count);
    }

    [Fact]
    public async Task AValueTheRequestNames_SurvivesEvenWhenTheCachedVersionDroppedIt()
    {
        ObservationCompressor compressor = Create(out _);
        var options = new ObservationCompressionOptions { ThresholdTokens = 50, TargetRatio = 0.2 };
        string document = Document();

        // Find a name the query-agnostic (cached) compression drops, so the guard is what keeps it.
        ObservationCompressionResult plain = await compressor.CompressAsync(document, options, cancellationToken: TestContext.Current.CancellationToken);
        string? dropped = s_names.FirstOrDefault(n => !plain.Text.Contains(n, StringComparison.Ordinal) && CriticalValues.Extract($"Ask {n} again").Contains(n));
        Assert.SkipWhen(dropped is null, "the cached compression kept every name at this rate");

        ObservationCompressionResult named = await compressor.CompressAsync(document, options, new ObservationContext(Request: $"What did {dropped} write?"), TestContext.Current.CancellationToken);

        Assert.Contains(dropped!, named.Text, StringComparison.Ordinal);
        Assert.Equal(0, named.SegmentCacheHits + named.SegmentCacheMisses);
    }
}
