using ContextPress.Observations;
using ContextPress.Redis.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace ContextPress.Redis.Tests;

/// <summary>Two agent hosts, each with its own service provider, share compressed tool results through one Redis.</summary>
public class SharedObservationCacheTests
{
    [Fact]
    public async Task AResultOneHostCompressed_IsACacheHitOnAnotherHost_ThroughAddContextCompression()
    {
        string endpoint = await SharedRedis.RequireEndpointAsync();
        string ns = SharedRedis.UniqueNamespace("hosts");
        ServiceProvider Host() => new ServiceCollection()
            .AddContextCompression(o => o.Observations.Default = new ObservationCompressionOptions { ThresholdTokens = 50 })
            .AddContextPressRedisCache(o => { o.Configuration = endpoint; o.Namespace = ns; })
            .BuildServiceProvider();
        await using ServiceProvider hostA = Host();
        await using ServiceProvider hostB = Host();
        string document = Documents.Paragraphs(6, seed: 77);
        var options = new ObservationCompressionOptions { ThresholdTokens = 50 };

        ObservationCompressor a = hostA.GetRequiredService<ObservationCompressor>();
        ObservationCompressor b = hostB.GetRequiredService<ObservationCompressor>();
        Assert.IsType<RedisSegmentCache>(a.SegmentCompressor!.Cache);
        ObservationCompressionResult first = await a.CompressAsync(document, options, cancellationToken: TestContext.Current.CancellationToken);
        ObservationCompressionResult second = await b.CompressAsync(document, options, cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(first.SegmentCacheMisses > 0);
        Assert.Equal(0, second.SegmentCacheMisses);
        Assert.Equal(first.SegmentCacheMisses, second.SegmentCacheHits);
        Assert.Equal(first.Text, second.Text);
    }
}
