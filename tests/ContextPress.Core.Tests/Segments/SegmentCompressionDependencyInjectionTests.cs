using ContextPress.Segments;
using ContextPress.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ContextPress.Tests.Segments;

public class SegmentCompressionDependencyInjectionTests
{
    [Fact]
    public async Task AddSegmentCompression_RegistersACompressorOverTheInMemoryCache()
    {
        using ServiceProvider services = new ServiceCollection()
            .AddSegmentCompression(o =>
            {
                o.Defaults = new SegmentCompressionOptions { Rate = 0.4, Namespace = "tenant-1" };
                o.MemoryCache.MaxBytes = 1_000_000;
            })
            .BuildServiceProvider();
        SegmentCompressor compressor = services.GetRequiredService<SegmentCompressor>();
        InMemorySegmentCache cache = Assert.IsType<InMemorySegmentCache>(compressor.Cache);
        Assert.Same(cache, services.GetRequiredService<ISegmentCache>());
        Assert.Equal(1_000_000, cache.MaxBytes);
        Assert.Equal("tenant-1", compressor.DefaultOptions.Namespace);

        string document = SegmentTestDocuments.Paragraphs(3);
        await compressor.CompressAsync(document, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(3, (await compressor.CompressAsync(document, cancellationToken: TestContext.Current.CancellationToken)).CacheHits);
    }

    [Fact]
    public void AddSegmentCompression_UsesARegisteredCache()
    {
        var mine = new InMemorySegmentCache();
        using ServiceProvider services = new ServiceCollection()
            .AddSingleton<ISegmentCache>(mine)
            .AddSegmentCompression()
            .BuildServiceProvider();
        Assert.Same(mine, services.GetRequiredService<SegmentCompressor>().Cache);
    }

    [Fact]
    public void AddSegmentCompression_RejectsInvalidOptions()
    {
        using ServiceProvider badRate = new ServiceCollection()
            .AddSegmentCompression(o => o.Defaults = new SegmentCompressionOptions { Rate = 1.5 })
            .BuildServiceProvider();
        Assert.Throws<OptionsValidationException>(() => badRate.GetRequiredService<SegmentCompressor>());

        using ServiceProvider badCache = new ServiceCollection()
            .AddSegmentCompression(o => o.MemoryCache.MaxBytes = -1)
            .BuildServiceProvider();
        Assert.Throws<OptionsValidationException>(() => badCache.GetRequiredService<SegmentCompressor>());
    }
}
