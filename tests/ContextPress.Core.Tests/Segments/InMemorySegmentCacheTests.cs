using ContextPress.Segments;

namespace ContextPress.Tests.Segments;

public class InMemorySegmentCacheTests
{
    private static SegmentCacheKey Key(int i) => SegmentCacheKey.Create("t", "fp", SegmentKind.Prose, "segment " + i);

    private static CachedSegment Value(int i, int length = 100) => new(("value " + i + " ").PadRight(length, 'x'), i);

    [Fact]
    public async Task GetMany_ReturnsHitsAndMissesInKeyOrder()
    {
        var cache = new InMemorySegmentCache();
        CancellationToken ct = TestContext.Current.CancellationToken;
        await cache.SetManyAsync([new(Key(1), Value(1)), new(Key(3), Value(3))], cancellationToken: ct);
        IReadOnlyList<CachedSegment?> values = await cache.GetManyAsync([Key(1), Key(2), Key(3), Key(1)], ct);
        Assert.Equal([Value(1), null, Value(3), Value(1)], values);
    }

    [Fact]
    public async Task ByteBound_EvictsTheLeastRecentlyUsed()
    {
        long entry = InMemorySegmentCache.EstimateBytes(Key(0), Value(0));
        var cache = new InMemorySegmentCache(new InMemorySegmentCacheOptions { MaxBytes = (entry * 10) + (entry / 2) });
        CancellationToken ct = TestContext.Current.CancellationToken;
        for (int i = 0; i < 10; i++)
        {
            await cache.SetManyAsync([new(Key(i), Value(i))], cancellationToken: ct);
        }

        Assert.Equal(10, cache.Count);
        Assert.Equal(entry * 10, cache.SizeBytes);

        // Touch 0 so that 1 is now the least recently used, then add two more.
        Assert.NotNull((await cache.GetManyAsync([Key(0)], ct))[0]);
        await cache.SetManyAsync([new(Key(10), Value(10)), new(Key(11), Value(11))], cancellationToken: ct);

        IReadOnlyList<CachedSegment?> values = await cache.GetManyAsync(Enumerable.Range(0, 12).Select(Key).ToArray(), ct);
        Assert.NotNull(values[0]);
        Assert.Null(values[1]);
        Assert.Null(values[2]);
        Assert.All(values.Skip(3), Assert.NotNull);
        Assert.True(cache.SizeBytes <= cache.MaxBytes);
        Assert.Equal(10, cache.Count);
    }

    [Fact]
    public async Task LargerEntries_TakeMoreOfTheBound()
    {
        var cache = new InMemorySegmentCache(new InMemorySegmentCacheOptions { MaxBytes = 20_000 });
        CancellationToken ct = TestContext.Current.CancellationToken;
        await cache.SetManyAsync(Enumerable.Range(0, 20).Select(i => new SegmentCacheEntry(Key(i), Value(i, 4_000))).ToArray(), cancellationToken: ct);
        Assert.Equal(2, cache.Count); // 2 × (8 000 + overhead) fit in 20 000 bytes, 3 do not
        Assert.True(cache.SizeBytes <= 20_000);

        await cache.SetManyAsync([new(Key(99), Value(99, 50_000))], cancellationToken: ct);
        Assert.Null((await cache.GetManyAsync([Key(99)], ct))[0]); // larger than the whole bound: not stored
        Assert.Equal(2, cache.Count);
    }

    [Fact]
    public async Task Entries_ExpireAfterTheirTimeToLive()
    {
        var clock = new ManualTimeProvider();
        var cache = new InMemorySegmentCache(new InMemorySegmentCacheOptions { DefaultTimeToLive = TimeSpan.FromMinutes(10) }, clock);
        CancellationToken ct = TestContext.Current.CancellationToken;
        await cache.SetManyAsync([new(Key(1), Value(1))], cancellationToken: ct);
        await cache.SetManyAsync([new(Key(2), Value(2))], TimeSpan.FromMinutes(1), ct);

        clock.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(2, (await cache.GetManyAsync([Key(1), Key(2)], ct)).Count(v => v is not null));
        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal([Value(1), null], await cache.GetManyAsync([Key(1), Key(2)], ct));
        clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal([null, null], await cache.GetManyAsync([Key(1), Key(2)], ct));
        Assert.Equal(0, cache.Count);
        Assert.Equal(0, cache.SizeBytes);
    }

    [Fact]
    public async Task Overwriting_ReplacesTheValueAndItsSize()
    {
        var cache = new InMemorySegmentCache();
        CancellationToken ct = TestContext.Current.CancellationToken;
        await cache.SetManyAsync([new(Key(1), Value(1, 100))], cancellationToken: ct);
        await cache.SetManyAsync([new(Key(1), Value(7, 300))], cancellationToken: ct);
        Assert.Equal(1, cache.Count);
        Assert.Equal(InMemorySegmentCache.EstimateBytes(Key(1), Value(7, 300)), cache.SizeBytes);
        Assert.Equal(Value(7, 300), (await cache.GetManyAsync([Key(1)], ct))[0]);
    }

    [Fact]
    public async Task ConcurrentReadersAndWriters_KeepTheBoundAndNeverMixValues()
    {
        long entry = InMemorySegmentCache.EstimateBytes(Key(0), Value(0));
        var cache = new InMemorySegmentCache(new InMemorySegmentCacheOptions { MaxBytes = entry * 50 });
        await Parallel.ForAsync(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = TestContext.Current.CancellationToken }, async (worker, ct) =>
        {
            var random = new Random(worker);
            for (int round = 0; round < 2_000; round++)
            {
                int[] ids = Enumerable.Range(0, 5).Select(_ => random.Next(200)).ToArray();
                if (random.Next(2) == 0)
                {
                    await cache.SetManyAsync(ids.Select(i => new SegmentCacheEntry(Key(i), Value(i))).ToArray(), cancellationToken: ct);
                }
                else
                {
                    IReadOnlyList<CachedSegment?> values = await cache.GetManyAsync(ids.Select(Key).ToArray(), ct);
                    for (int k = 0; k < ids.Length; k++)
                    {
                        Assert.True(values[k] is null || values[k] == Value(ids[k]), "a value came back under another key");
                    }
                }

                Assert.True(cache.SizeBytes <= cache.MaxBytes);
            }
        });

        Assert.True(cache.Count is > 0 and <= 50);
        Assert.Equal(cache.Count * entry, cache.SizeBytes);
    }

    [Fact]
    public void Options_AreValidated()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new InMemorySegmentCache(new InMemorySegmentCacheOptions { MaxBytes = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new InMemorySegmentCache(new InMemorySegmentCacheOptions { DefaultTimeToLive = TimeSpan.FromSeconds(-1) }));
    }
}
