using ContextPress.Predictor.Caching;
using TorchSharp;
using static TorchSharp.torch;

namespace ContextPress.Predictor.Tests.Caching;

public sealed class EvictionKvCacheTests
{
    /// <summary>Keys and values whose every element is the token's position, so what comes back names what was kept.</summary>
    private static Tensor PositionTagged(long start, long count, long heads = 2, long dim = 4) =>
        arange(start, start + count, dtype: ScalarType.Float32).view(1, 1, count, 1).expand(1, heads, count, dim).contiguous();

    private static long[] Tags(Tensor keys) => keys[0, 0, .., 0].data<float>().Select(v => (long)v).Order().ToArray();

    [Fact]
    public void StreamingKeepsTheFirstFourAndTheMostRecent()
    {
        using var scope = NewDisposeScope();
        using var cache = new StreamingKvCache(layers: 1, capacity: 12, sinkTokens: 4);
        cache.Update(0, PositionTagged(0, 10), PositionTagged(0, 10));
        for (var p = 10; p < 25; p++)
        {
            var (k, _) = cache.Update(0, PositionTagged(p, 1), PositionTagged(p, 1));
            Assert.Equal(Math.Min(p, 12) + 1, k.shape[2]); // the stored entries, then the new one
        }
        long[] expected = [0, 1, 2, 3, .. Enumerable.Range(17, 8).Select(i => (long)i)];
        Assert.Equal(expected, cache.PositionsOf(0));
        Assert.Equal(25, cache.Length);
        Assert.Equal(12, cache.StoredLength);
        var (keys, values) = cache.Update(0, PositionTagged(25, 1), PositionTagged(25, 1));
        Assert.Equal([.. expected, 25], Tags(keys));
        Assert.Equal([.. expected, 25], Tags(values));

        // Several tokens at once past the ring: still the sinks and the last capacity − 4.
        cache.Update(0, PositionTagged(26, 3), PositionTagged(26, 3));
        Assert.Equal([0, 1, 2, 3, .. Enumerable.Range(21, 8).Select(i => (long)i)], cache.PositionsOf(0));
        using var prefill = new StreamingKvCache(1, 12);
        prefill.Update(0, PositionTagged(0, 30), PositionTagged(0, 30));
        Assert.Equal([0, 1, 2, 3, .. Enumerable.Range(22, 8).Select(i => (long)i)], prefill.PositionsOf(0));
    }

    [Fact]
    public void SnapKvKeepsTheRatioPerKvHeadAndAlwaysItsWindow()
    {
        using var scope = NewDisposeScope();
        const int t = 100, window = 8;
        var g = new Generator(21);
        using var cache = new SnapKvCache(1, new SnapKvOptions { CompressionRatio = 0.55, WindowSize = window });
        var keys = randn([1, 2, t, 8], generator: g);
        cache.ObserveQueries(0, randn([1, 4, t, 8], generator: g));
        var (k, _) = cache.Update(0, keys, keys);
        Assert.Equal(t, k.shape[2]); // the prefill attends over everything
        var kept = (long)(t * (1 - 0.55));
        Assert.Equal(kept, cache.StoredLength);
        var head0 = cache.PositionsOf(0, kvHead: 0);
        var head1 = cache.PositionsOf(0, kvHead: 1);
        Assert.Equal(kept, head0.Length);
        Assert.Equal(kept, head1.Length);
        Assert.All(Enumerable.Range(t - window, window), p => Assert.Contains(p, head0));
        Assert.All(Enumerable.Range(t - window, window), p => Assert.Contains(p, head1));
        Assert.NotEqual(head0, head1); // chosen per KV head

        // Decode appends; positions keep counting tokens seen.
        var (next, _) = cache.Update(0, keys.narrow(2, 0, 1), keys.narrow(2, 0, 1));
        Assert.Equal(kept + 1, next.shape[2]);
        Assert.Equal(t + 1, cache.Length);
        Assert.Equal(t, cache.PositionsOf(0)[^1]);
    }

    [Fact]
    public void SnapKvKeepsTheKeysTheWindowAttendsTo()
    {
        using var scope = NewDisposeScope();
        const int t = 64, window = 4;
        var g = new Generator(2);
        var keys = randn([1, 1, t, 8], generator: g) * 0.1f;
        var direction = ones(8);
        keys[0, 0, 10] = direction * 3;
        keys[0, 0, 40] = direction * 3;
        var queries = (direction * 2).expand(1, 2, t, 8).contiguous(); // two query heads share the one KV head
        using var cache = new SnapKvCache(1, new SnapKvOptions { CompressionRatio = 0.9, WindowSize = window, KernelSize = 1 });
        cache.ObserveQueries(0, queries);
        cache.Update(0, keys, keys);
        Assert.Equal([10, 40, 60, 61, 62, 63], cache.PositionsOf(0));
    }

    [Fact]
    public void SnapKvNeedsTheQueries()
    {
        using var scope = NewDisposeScope();
        using var cache = new SnapKvCache(1);
        var keys = randn(1, 1, 80, 8);
        Assert.Contains("ObserveQueries", Assert.Throws<InvalidOperationException>(() => cache.Update(0, keys, keys)).Message);
    }

    [Theory]
    [InlineData(KvCacheKind.Streaming)]
    [InlineData(KvCacheKind.SnapKv)]
    public void EvictionWithRatioZeroEqualsDenseExactly(KvCacheKind kind)
    {
        using var model = TinyModels.Random(seed: 4);
        using var scope = NewDisposeScope();
        int[] prompt = [3, 9, 27, 17, 51, 25, 11, 33, 35, 41, 59, 49];
        using var dense = DenseKvCache.For(model, 40);
        using var evicting = KvCacheFactory.Create(model, new KvCacheOptions { Kind = kind, CompressionRatio = 0, SnapKvWindow = 4 }, 40);
        var a = model.Forward(CausalLM.ToInput(prompt), dense);
        var b = model.Forward(CausalLM.ToInput(prompt), evicting);
        Assert.Equal(0f, TinyModels.MaxAbsDiff(a, b));
        var next = a[0, -1].argmax().item<long>();
        for (var step = 0; step < 20; step++)
        {
            a = model.Forward(CausalLM.ToInput([(int)next]), dense);
            b = model.Forward(CausalLM.ToInput([(int)next]), evicting);
            Assert.Equal(0f, TinyModels.MaxAbsDiff(a, b));
            next = a[0, -1].argmax().item<long>();
        }
        Assert.Equal(dense.Length, evicting.Length);
        Assert.Equal(dense.StoredLength, evicting.StoredLength);
        Assert.Equal(dense.StorageBytes, evicting.StorageBytes);
    }

    [Fact]
    public void EvictedCachesContinuePositionsFromTokensSeen()
    {
        using var model = TinyModels.Random(seed: 6);
        using var scope = NewDisposeScope();
        using var cache = new StreamingKvCache(model.Config.NumHiddenLayers, capacity: 8);
        _ = model.Forward(CausalLM.ToInput([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]), cache);
        Assert.Equal(12, cache.Length);
        Assert.Equal(8, cache.StoredLength);
        // Several tokens after eviction: stored entries all visible, the new ones causal among themselves.
        var chunk = model.Forward(CausalLM.ToInput([13, 14, 15]), cache);
        Assert.Equal(3, chunk.shape[1]);
        var single = model.Forward(CausalLM.ToInput([16]), cache);
        Assert.Equal(16, cache.Length);
        Assert.True(single.isfinite().all().item<bool>());

        // The first of a chunk sees exactly what a single token would see.
        using var twin = new StreamingKvCache(model.Config.NumHiddenLayers, capacity: 8);
        _ = model.Forward(CausalLM.ToInput([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]), twin);
        var first = model.Forward(CausalLM.ToInput([13]), twin);
        Assert.True(TinyModels.MaxAbsDiff(first[0, 0], chunk[0, 0]) < 1e-5f);
    }

    [Fact]
    public void EvictingCachesRefuseLeftPaddingOnceTheyEvicted()
    {
        using var model = TinyModels.Random(seed: 8);
        using var scope = NewDisposeScope();
        using var cache = new StreamingKvCache(model.Config.NumHiddenLayers, capacity: 6, sinkTokens: 2);
        var input = tensor(new long[] { 1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 9, 10, 11, 12, 13, 14 }, [2, 8], ScalarType.Int64);
        _ = model.Forward(input, cache, leftPadding: [0, 2]);
        Assert.Throws<NotSupportedException>(() => model.Forward(tensor(new long[] { 1, 2 }, [2, 1], ScalarType.Int64), cache, leftPadding: [0, 2]));
    }
}
