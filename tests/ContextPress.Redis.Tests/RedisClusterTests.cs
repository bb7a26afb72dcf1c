using ContextPress.Compression;
using ContextPress.Redis.Tests.TestSupport;
using ContextPress.Segments;
using StackExchange.Redis;

namespace ContextPress.Redis.Tests;

public class RedisClusterTests
{
    [Fact]
    public async Task OnACluster_BatchesAreGroupedByHashSlot()
    {
        using RedisServerProcess server = await SharedRedis.StartPrivateServerAsync(cluster: true);
        var logger = new ListLogger<RedisSegmentCache>();
        await using RedisSegmentCache cache = await RedisSegmentCache.ConnectAsync(new RedisSegmentCacheOptions { Configuration = server.Endpoint, Namespace = "cluster" }, logger);
        CancellationToken ct = TestContext.Current.CancellationToken;
        Assert.Contains(cache.Multiplexer.GetServers(), s => s.ServerType == ServerType.Cluster);

        SegmentCacheKey[] keys = [.. Enumerable.Range(0, 600).Select(i => SegmentCacheKey.Create("t", "fp", SegmentKind.Prose, "segment " + i))];
        RedisKey[] redisKeys = [.. keys.Select(k => (RedisKey)cache.GetRedisKey(k))];

        // A plain multi-key command across slots is refused by a cluster: the grouping is what makes batches work.
        await Assert.ThrowsAsync<RedisServerException>(() => cache.Multiplexer.GetDatabase().StringGetAsync(redisKeys));

        await cache.SetManyAsync(keys.Select(k => new SegmentCacheEntry(k, new CachedSegment("value " + k.Id, 3))).ToArray(), cancellationToken: ct);
        Assert.Empty(logger.Entries.Where(e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Warning).Select(e => e.Message));
        IReadOnlyList<CachedSegment?> values = await cache.GetManyAsync(keys, ct);
        Assert.True(logger.Entries.Count == 0, string.Join("\n", logger.Entries.Select(e => e.Message)));
        Assert.All(keys.Zip(values), pair => Assert.Equal("value " + pair.First.Id, pair.Second?.Text));
        Assert.False(cache.IsBypassed);

        string document = Documents.Paragraphs(8, seed: 41);
        var compressor = new SegmentCompressor(PromptCompressor.CreateDefault(), cache);
        Assert.Equal(8, (await compressor.CompressAsync(document, cancellationToken: ct)).CacheMisses);
        Assert.Equal(8, (await compressor.CompressAsync(document, cancellationToken: ct)).CacheHits);
    }
}
