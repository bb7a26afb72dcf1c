using System.Diagnostics;
using ContextPress.Compression;
using ContextPress.Redis.Tests.TestSupport;
using ContextPress.Segments;
using StackExchange.Redis;

namespace ContextPress.Redis.Tests;

public class RedisSegmentCacheTests
{
    private static readonly PromptCompressor s_prompt = PromptCompressor.CreateDefault();

    private static SegmentCacheKey Key(int i, string keyNamespace = "default") => SegmentCacheKey.Create(keyNamespace, "fp", SegmentKind.Prose, "segment " + i);

    private static async Task<RedisSegmentCache> ConnectAsync(string endpoint, string @namespace, Action<RedisSegmentCacheOptions>? configure = null)
    {
        var options = new RedisSegmentCacheOptions { Configuration = endpoint, Namespace = @namespace };
        configure?.Invoke(options);
        return await RedisSegmentCache.ConnectAsync(options);
    }

    [Fact]
    public async Task MissThenHit_RoundTripsTextAndTokens_UnderTheDocumentedKey()
    {
        string endpoint = await SharedRedis.RequireEndpointAsync();
        string ns = SharedRedis.UniqueNamespace("hit");
        await using RedisSegmentCache cache = await ConnectAsync(endpoint, ns);
        await using ConnectionMultiplexer raw = await ConnectionMultiplexer.ConnectAsync(endpoint);
        CancellationToken ct = TestContext.Current.CancellationToken;

        CachedSegment[] values = [new("Refund of $1,234.50 for HAT136 😀 订单已退款", 17), new(string.Empty, 0), new(new string('x', 10_000), 1250)];
        SegmentCacheKey[] keys = [Key(1), Key(2), Key(3)];
        Assert.Equal([null, null, null], await cache.GetManyAsync(keys, ct));

        await cache.SetManyAsync(keys.Zip(values, (k, v) => new SegmentCacheEntry(k, v)).ToArray(), cancellationToken: ct);
        Assert.Equal(values, await cache.GetManyAsync([keys[0], keys[1], keys[2]], ct));
        Assert.Equal([values[1], null], await cache.GetManyAsync([keys[1], Key(4)], ct));

        string redisKey = cache.GetRedisKey(keys[0]);
        Assert.Equal($"{ns}:s1:default:{{{keys[0].Id[..2]}}}{keys[0].Id}", redisKey);
        Assert.True(await raw.GetDatabase().KeyExistsAsync(redisKey));
        TimeSpan? ttl = await raw.GetDatabase().KeyTimeToLiveAsync(redisKey);
        Assert.InRange(ttl!.Value, TimeSpan.FromHours(23), TimeSpan.FromDays(1)); // the default time to live
    }

    [Fact]
    public async Task CompressionOverRedis_SecondRunIsAllHits_AndByteIdentical_EvenFromAnotherInstance()
    {
        string endpoint = await SharedRedis.RequireEndpointAsync();
        string ns = SharedRedis.UniqueNamespace("compress");
        await using RedisSegmentCache first = await ConnectAsync(endpoint, ns);
        await using RedisSegmentCache second = await ConnectAsync(endpoint, ns); // another agent process, same namespace
        string document = Documents.Paragraphs(10);
        CancellationToken ct = TestContext.Current.CancellationToken;

        SegmentCompressionResult cold = await new SegmentCompressor(s_prompt, first).CompressAsync(document, cancellationToken: ct);
        SegmentCompressionResult warm = await new SegmentCompressor(s_prompt, second).CompressAsync(document, cancellationToken: ct);
        SegmentCompressionResult local = await new SegmentCompressor(s_prompt, new InMemorySegmentCache()).CompressAsync(document, cancellationToken: ct);

        Assert.Equal(10, cold.CacheMisses);
        Assert.Equal(10, warm.CacheHits);
        Assert.Equal(cold.Text, warm.Text);
        Assert.Equal(local.Text, warm.Text);
        Assert.Equal(cold.CompressedTokens, warm.CompressedTokens);
    }

    [Fact]
    public async Task Entries_ExpireAfterTheirTimeToLive()
    {
        string endpoint = await SharedRedis.RequireEndpointAsync();
        await using RedisSegmentCache cache = await ConnectAsync(endpoint, SharedRedis.UniqueNamespace("ttl"), o => o.TimeToLive = TimeSpan.FromHours(1));
        await using ConnectionMultiplexer raw = await ConnectionMultiplexer.ConnectAsync(endpoint);
        CancellationToken ct = TestContext.Current.CancellationToken;

        await cache.SetManyAsync([new(Key(1), new CachedSegment("short lived", 2))], TimeSpan.FromMilliseconds(800), ct);
        await cache.SetManyAsync([new(Key(2), new CachedSegment("default lived", 2))], cancellationToken: ct);
        Assert.InRange((await raw.GetDatabase().KeyTimeToLiveAsync(cache.GetRedisKey(Key(1))))!.Value, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(800));
        Assert.InRange((await raw.GetDatabase().KeyTimeToLiveAsync(cache.GetRedisKey(Key(2))))!.Value, TimeSpan.FromMinutes(59), TimeSpan.FromHours(1));
        Assert.NotNull((await cache.GetManyAsync([Key(1)], ct))[0]);

        await Task.Delay(1_200, ct);
        Assert.Equal([null, new CachedSegment("default lived", 2)], await cache.GetManyAsync([Key(1), Key(2)], ct));
    }

    [Fact]
    public async Task TenantA_NeverReadsTenantB()
    {
        string endpoint = await SharedRedis.RequireEndpointAsync();
        string suffix = Guid.NewGuid().ToString("N");
        await using RedisSegmentCache tenantA = await ConnectAsync(endpoint, "tenant-a-" + suffix);
        await using RedisSegmentCache tenantB = await ConnectAsync(endpoint, "tenant-b-" + suffix);
        await using ConnectionMultiplexer raw = await ConnectionMultiplexer.ConnectAsync(endpoint, o => o.AllowAdmin = true);
        CancellationToken ct = TestContext.Current.CancellationToken;
        string document = Documents.Paragraphs(5, seed: 2);

        SegmentCompressionResult a = await new SegmentCompressor(s_prompt, tenantA).CompressAsync(document, cancellationToken: ct);
        SegmentCompressionResult b = await new SegmentCompressor(s_prompt, tenantB).CompressAsync(document, cancellationToken: ct);
        Assert.Equal(5, a.CacheMisses);
        Assert.Equal(5, b.CacheMisses); // same text, same settings: still B's own entries

        SegmentCacheKey[] keys = [.. Enumerable.Range(0, 3).Select(i => Key(i))];
        await tenantA.SetManyAsync(keys.Select(k => new SegmentCacheEntry(k, new CachedSegment("secret of A", 3))).ToArray(), cancellationToken: ct);
        Assert.Equal([null, null, null], await tenantB.GetManyAsync(keys, ct));
        Assert.All(await tenantA.GetManyAsync(keys, ct), v => Assert.Equal("secret of A", v!.Text));

        IServer server = raw.GetServers()[0];
        List<RedisKey> keysOfB = [];
        await foreach (RedisKey key in server.KeysAsync(pattern: "tenant-b-" + suffix + ":*"))
        {
            keysOfB.Add(key);
        }

        Assert.Equal(5, keysOfB.Count);
        Assert.All(keysOfB, k => Assert.StartsWith("tenant-b-" + suffix + ":s1:", k.ToString(), StringComparison.Ordinal));

        // A per-call namespace (SegmentCompressionOptions.Namespace) partitions within one Redis namespace as well.
        SegmentCompressionResult otherTenant = await new SegmentCompressor(s_prompt, tenantA).CompressAsync(document, new SegmentCompressionOptions { Namespace = "customer-42" }, ct);
        Assert.Equal(5, otherTenant.CacheMisses);
    }

    [Fact]
    public async Task ChangedCompressorSetting_Misses()
    {
        string endpoint = await SharedRedis.RequireEndpointAsync();
        await using RedisSegmentCache cache = await ConnectAsync(endpoint, SharedRedis.UniqueNamespace("settings"));
        var compressor = new SegmentCompressor(s_prompt, cache);
        string document = Documents.Paragraphs(4, seed: 3);
        CancellationToken ct = TestContext.Current.CancellationToken;

        SegmentCompressionResult half = await compressor.CompressAsync(document, new SegmentCompressionOptions { Rate = 0.5 }, ct);
        SegmentCompressionResult third = await compressor.CompressAsync(document, new SegmentCompressionOptions { Rate = 0.33 }, ct);
        Assert.Equal(4, third.CacheMisses);
        Assert.True(third.CompressedTokens < half.CompressedTokens);
        Assert.Equal(4, (await compressor.CompressAsync(document, new SegmentCompressionOptions { Rate = 0.5 }, ct)).CacheHits);
        Assert.Equal(4, (await compressor.CompressAsync(document, new SegmentCompressionOptions { Rate = 0.33 }, ct)).CacheHits);
    }

    [Fact]
    public async Task CorruptOrForeignValues_AreMisses_NeverOutputs()
    {
        string endpoint = await SharedRedis.RequireEndpointAsync();
        await using RedisSegmentCache cache = await ConnectAsync(endpoint, SharedRedis.UniqueNamespace("corrupt"));
        await using ConnectionMultiplexer raw = await ConnectionMultiplexer.ConnectAsync(endpoint);
        IDatabase db = raw.GetDatabase();
        CancellationToken ct = TestContext.Current.CancellationToken;
        var compressor = new SegmentCompressor(s_prompt, cache);
        string document = Documents.Paragraphs(1, seed: 4);
        SegmentCompressionResult reference = await compressor.CompressAsync(document, cancellationToken: ct);
        SegmentCacheKey key = SegmentCacheKey.Create(SegmentCompressionOptions.DefaultNamespace, reference.Fingerprint, SegmentKind.Prose, reference.Segments[0].Segment.Text);
        string redisKey = cache.GetRedisKey(key);
        byte[] good = (byte[])(await db.StringGetAsync(redisKey))!;
        Assert.Equal("CPSG"u8.ToArray(), good[..4]);

        // A valid value of another key, copied here.
        await cache.SetManyAsync([new(Key(9), new CachedSegment("another segment's text", 4))], cancellationToken: ct);
        byte[] foreign = (byte[])(await db.StringGetAsync(cache.GetRedisKey(Key(9))))!;

        byte[] flipped = (byte[])good.Clone();
        flipped[^3] ^= 0x20;
        byte[] newerVersion = (byte[])good.Clone();
        newerVersion[4] = 2;
        byte[][] corruptions =
        [
            "garbage that is not ours"u8.ToArray(),
            [],
            good[..^1],
            good[..20],
            flipped,
            newerVersion,
            foreign,
            [.. good, 0],
        ];
        foreach (byte[] corruption in corruptions)
        {
            await db.StringSetAsync(redisKey, corruption);
            Assert.Null((await cache.GetManyAsync([key], ct))[0]);
            SegmentCompressionResult again = await compressor.CompressAsync(document, cancellationToken: ct);
            Assert.Equal(SegmentSource.Compressed, again.Segments[0].Source);
            Assert.Equal(reference.Text, again.Text);

            // The recompression repaired the entry.
            Assert.Equal(good, (byte[])(await db.StringGetAsync(redisKey))!);
            Assert.Equal(1, (await compressor.CompressAsync(document, cancellationToken: ct)).CacheHits);
        }
    }

    [Fact]
    public async Task ValuesOverTheSizeLimit_AreNotStored()
    {
        string endpoint = await SharedRedis.RequireEndpointAsync();
        await using RedisSegmentCache cache = await ConnectAsync(endpoint, SharedRedis.UniqueNamespace("size"), o => o.MaxValueBytes = 1024);
        CancellationToken ct = TestContext.Current.CancellationToken;
        await cache.SetManyAsync(
            [new(Key(1), new CachedSegment(new string('a', 1024 - SegmentValueCodec.HeaderBytes), 1)), new(Key(2), new CachedSegment(new string('a', 1025 - SegmentValueCodec.HeaderBytes), 1))],
            cancellationToken: ct);
        IReadOnlyList<CachedSegment?> values = await cache.GetManyAsync([Key(1), Key(2)], ct);
        Assert.NotNull(values[0]);
        Assert.Null(values[1]);
    }

    [Fact]
    public async Task LargeBatches_RoundTrip()
    {
        string endpoint = await SharedRedis.RequireEndpointAsync();
        await using RedisSegmentCache cache = await ConnectAsync(endpoint, SharedRedis.UniqueNamespace("batch"));
        CancellationToken ct = TestContext.Current.CancellationToken;
        SegmentCacheKey[] keys = [.. Enumerable.Range(0, 2_000).Select(i => Key(i))];
        await cache.SetManyAsync(keys.Where((_, i) => i % 2 == 0).Select(k => new SegmentCacheEntry(k, new CachedSegment("v" + k.Id, 1))).ToArray(), cancellationToken: ct);
        IReadOnlyList<CachedSegment?> values = await cache.GetManyAsync(keys, ct);
        for (int i = 0; i < keys.Length; i++)
        {
            Assert.Equal(i % 2 == 0 ? "v" + keys[i].Id : null, values[i]?.Text);
        }
    }

    [Fact]
    public async Task ConcurrentAgents_SharingOneCache_AgreeAndReuse()
    {
        string endpoint = await SharedRedis.RequireEndpointAsync();
        string ns = SharedRedis.UniqueNamespace("agents");
        string[] documents = [Documents.Paragraphs(6, seed: 11), Documents.Paragraphs(6, seed: 12), Documents.Paragraphs(6, seed: 13)];
        var expected = new string[documents.Length];
        for (int d = 0; d < documents.Length; d++)
        {
            expected[d] = (await new SegmentCompressor(s_prompt, new InMemorySegmentCache()).CompressAsync(documents[d], cancellationToken: TestContext.Current.CancellationToken)).Text;
        }

        // Six agents, each with its own connection (as separate processes would have), all on the same documents.
        RedisSegmentCache[] caches = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => ConnectAsync(endpoint, ns)));
        try
        {
            await Parallel.ForAsync(0, 36, new ParallelOptions { MaxDegreeOfParallelism = 6, CancellationToken = TestContext.Current.CancellationToken }, async (i, ct) =>
            {
                var agent = new SegmentCompressor(s_prompt, caches[i % caches.Length]);
                SegmentCompressionResult result = await agent.CompressAsync(documents[i % documents.Length], cancellationToken: ct);
                Assert.Equal(expected[i % documents.Length], result.Text);
            });

            await using RedisSegmentCache late = await ConnectAsync(endpoint, ns);
            foreach (string document in documents)
            {
                Assert.Equal(6, (await new SegmentCompressor(s_prompt, late).CompressAsync(document, cancellationToken: TestContext.Current.CancellationToken)).CacheHits);
            }
        }
        finally
        {
            foreach (RedisSegmentCache cache in caches)
            {
                await cache.DisposeAsync();
            }
        }
    }

    [Fact]
    public void Keys_CarryAClusterHashTag_SoABatchGroupsBySlot()
    {
        Assert.Equal(11058, ClusterSlot("somekey")); // CLUSTER KEYSLOT examples of the Redis documentation
        Assert.Equal(12739, ClusterSlot("123456789")); // CRC16/XMODEM check value 0x31C3
        Assert.Equal(ClusterSlot("{user1000}.following"), ClusterSlot("{user1000}.followers"));
        Assert.Equal(ClusterSlot("bar"), ClusterSlot("foo{bar}{zap}")); // hash-tag rules of the cluster specification
        Assert.Equal(ClusterSlot("{bar"), ClusterSlot("foo{{bar}}zap"));
        Assert.NotEqual(ClusterSlot("{}a"), ClusterSlot("{}b")); // an empty tag: the whole key is hashed

        var options = new RedisSegmentCacheOptions { Configuration = "127.0.0.1:1", Namespace = "app" };
        using var cache = RedisSegmentCache.Connect(options);
        SegmentCacheKey[] keys = [.. Enumerable.Range(0, 2_000).Select(i => Key(i))];
        var slots = keys.GroupBy(k => ClusterSlot(cache.GetRedisKey(k))).ToArray();
        Assert.Equal(256, slots.Length); // one slot per tag bucket: a tenant is spread evenly, a batch needs at most 256 MGETs
        Assert.All(slots, slot => Assert.Single(slot.Select(k => k.Id[..2]).Distinct()));
    }

    private static int ClusterSlot(string key) => RedisHashSlot.Of(key);
}
