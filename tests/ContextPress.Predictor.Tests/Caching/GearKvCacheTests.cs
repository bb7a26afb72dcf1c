using ContextPress.Predictor.Caching;
using TorchSharp;
using static TorchSharp.torch;

namespace ContextPress.Predictor.Tests.Caching;

public sealed class GearKvCacheTests(ITestOutputHelper output)
{
    /// <summary>Gaussian keys/values with a few outlier channels and rare spikes, like real KV activations.</summary>
    private static Tensor HeavyTailed(Generator g, long tokens = 256, long dim = 64)
    {
        var x = randn([1, 2, tokens, dim], generator: g);
        var channelScale = ones(dim);
        channelScale[3] = 8;
        channelScale[17] = 5;
        var spikes = (rand([1, 2, tokens, dim], generator: g) < 0.01f).to_type(ScalarType.Float32) * 12;
        return x * channelScale + spikes;
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void GearErrorIsBelowKiviAtTheSameBits(int bits)
    {
        using var scope = NewDisposeScope();
        var g = new Generator(13);
        var keys = HeavyTailed(g);
        var values = HeavyTailed(g);
        using var kivi = new KiviKvCache(1, 64, ScalarType.Float32, new KiviOptions { Bits = bits, GroupSize = 32, ResidualLength = 64 });
        using var gear = new GearKvCache(1, 64, ScalarType.Float32, new GearOptions { Bits = bits, GroupSize = 32, BufferLength = 64 });
        var (kiviKeys, kiviValues) = Reconstruct(kivi, keys, values);
        var (gearKeys, gearValues) = Reconstruct(gear, keys, values);
        // Compare on the first 192 tokens, quantized by both (KIVI keeps the last 64 values in full precision).
        double Error(Tensor a, Tensor b) => (a.narrow(2, 0, 192) - b.narrow(2, 0, 192)).norm().item<float>() / b.narrow(2, 0, 192).norm().item<float>();
        var (kk, kv, gk, gv) = (Error(kiviKeys, keys), Error(kiviValues, values), Error(gearKeys, keys), Error(gearValues, values));
        output.WriteLine($"{bits}-bit relative error: KIVI keys {kk:F4} values {kv:F4}; GEAR keys {gk:F4} values {gv:F4}");
        Assert.True(gk < kk, $"GEAR keys {gk} vs KIVI {kk}");
        Assert.True(gv < kv, $"GEAR values {gv} vs KIVI {kv}");
    }

    private static (Tensor Keys, Tensor Values) Reconstruct(IKvCache cache, Tensor keys, Tensor values)
    {
        cache.Update(0, keys, values);
        var (k, v) = cache.Update(0, zeros(1, 2, 1, 64), zeros(1, 2, 1, 64));
        return (k.narrow(2, 0, keys.shape[2]), v.narrow(2, 0, keys.shape[2]));
    }

    [Fact]
    public void OutliersComeBackExactlyAndTheLowRankTermOnlyHelps()
    {
        using var scope = NewDisposeScope();
        var g = new Generator(17);
        var x = HeavyTailed(g, tokens: 64);
        using var cache = new GearKvCache(1, 64, ScalarType.Float32, new GearOptions { Bits = 2 });
        using var block = cache.Compress(x, isKey: false, rank: 4);
        var restored = block.Dequantize(ScalarType.Float32);
        // Each token's largest and smallest channel are outliers (2 % of 64 → one each side) and exact.
        var top = x.argmax(3, keepdim: true);
        var bottom = x.argmin(3, keepdim: true);
        Assert.True(restored.gather(3, top).eq(x.gather(3, top)).all().item<bool>());
        Assert.True(restored.gather(3, bottom).eq(x.gather(3, bottom)).all().item<bool>());
        using var withoutLowRank = cache.Compress(x, isKey: false, rank: 0);
        var lowRankError = (restored - x).norm().item<float>();
        var plainError = (withoutLowRank.Dequantize(ScalarType.Float32) - x).norm().item<float>();
        Assert.True(lowRankError < plainError, $"{lowRankError} vs {plainError}");
    }

    [Fact]
    public void RecentTokensStayInTheBufferUntilABlockFills()
    {
        using var scope = NewDisposeScope();
        using var cache = new GearKvCache(1, 16, ScalarType.Float32, new GearOptions { GroupSize = 8, BufferLength = 16 });
        var g = new Generator(19);
        cache.Update(0, randn([1, 1, 37, 16], generator: g), randn([1, 1, 37, 16], generator: g));
        Assert.Equal(5, cache.BufferedCount(0));
        for (var step = 38; step <= 60; step++)
        {
            using var s = NewDisposeScope();
            var (k, _) = cache.Update(0, randn([1, 1, 1, 16], generator: g), randn([1, 1, 1, 16], generator: g));
            Assert.Equal(step, k.shape[2]);
            Assert.Equal(step % 16, cache.BufferedCount(0));
        }
    }
}
