using ContextPress.Predictor.Caching;
using TorchSharp;
using static TorchSharp.torch;

namespace ContextPress.Predictor.Tests.Caching;

public sealed class KiviKvCacheTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(4, true)]
    [InlineData(4, false)]
    [InlineData(2, true)]
    [InlineData(2, false)]
    public void DequantizationErrorIsAtMostHalfAStep(int bits, bool alongTokens)
    {
        var groups = alongTokens ? QuantizationGroups.AlongTokens : QuantizationGroups.AlongChannels;
        using var scope = NewDisposeScope();
        var x = randn([2, 3, 64, 16], generator: new Generator(7)) * 3 + 1;
        using var q = QuantizedKv.Quantize(x, bits, 8, groups);
        var error = (x - q.Dequantize(ScalarType.Float32)).abs();
        var step = q.ScalePerElement();
        Assert.True((error <= step / 2 + 1e-5f).all().item<bool>(), $"max error/step {(error / step).max().item<float>()}");
        Assert.True(error.max().item<float>() > 1e-3f, "a random block must not quantize exactly");
        // Codes really take bits/8 bytes per element (plus fp32 scale and minimum per group of 8).
        Assert.Equal(x.NumberOfElements * bits / 8 + 2 * 4 * x.NumberOfElements / 8, q.Bytes);
    }

    [Fact]
    public void PackingRoundTrips()
    {
        using var scope = NewDisposeScope();
        foreach (var bits in new[] { 2, 4 })
        {
            var codes = randint(0, 1 << bits, [3, 5, 16], generator: new Generator(3)).to_type(ScalarType.Byte);
            var packed = QuantizedKv.Pack(codes, bits);
            Assert.Equal(16 * bits / 8, packed.shape[2]);
            Assert.True(QuantizedKv.Unpack(packed, bits, 16).eq(codes).all().item<bool>());
        }
    }

    [Fact]
    public void KeysAreGroupedAlongTokensAndValuesAlongChannels()
    {
        using var scope = NewDisposeScope();
        const int t = 16, d = 16, g = 4;
        var tokens = arange(t, dtype: ScalarType.Float32).view(t, 1);
        var channels = arange(d, dtype: ScalarType.Float32).view(1, d);
        // Constant within every group of g tokens per channel (different per channel and per group): exact only per channel with token groups of g.
        var byChannel = (channels * channels * 0.37f + (tokens / g).floor() * 5).expand(t, d).reshape(1, 1, t, d);
        // Constant within every group of g channels per token: exact only per token with channel groups of g.
        var byToken = (tokens * tokens * 0.29f + (channels / g).floor() * 7).expand(t, d).reshape(1, 1, t, d);

        var kivi = new KiviOptions { Bits = 2, GroupSize = g, ResidualLength = 8 };
        var (keys, values) = QuantizedPrefix(kivi, byChannel, byToken, t, d);
        Assert.True(TinyModels.MaxAbsDiff(keys, byChannel) < 1e-4f, "per-channel keys must reproduce channel-constant token groups");
        Assert.True(TinyModels.MaxAbsDiff(values.narrow(2, 0, 8), byToken.narrow(2, 0, 8)) < 1e-4f, "per-token values must reproduce token-constant channel groups");

        // The transposed inputs do not fit those groups, so both are lossy there.
        var (keysT, valuesT) = QuantizedPrefix(kivi, byToken, byChannel, t, d);
        Assert.True(TinyModels.MaxAbsDiff(keysT, byToken) > 0.1f);
        Assert.True(TinyModels.MaxAbsDiff(valuesT.narrow(2, 0, 8), byChannel.narrow(2, 0, 8)) > 0.1f);

        // Per-token keys flip the key axis.
        var (perTokenKeys, _) = QuantizedPrefix(kivi with { KeyQuantization = KeyQuantization.PerToken }, byToken, byToken, t, d);
        Assert.True(TinyModels.MaxAbsDiff(perTokenKeys, byToken) < 1e-4f);
    }

    /// <summary>Prefills t tokens (keys: 16 quantized, values: all but the last R), then reads them back with one more token.</summary>
    private static (Tensor Keys, Tensor Values) QuantizedPrefix(KiviOptions options, Tensor keys, Tensor values, int t, int d)
    {
        using var cache = new KiviKvCache(1, d, ScalarType.Float32, options);
        cache.Update(0, keys, values);
        Assert.Equal(0, cache.ResidualKeyCount(0));
        Assert.Equal(options.ResidualLength, cache.ResidualValueCount(0));
        var next = zeros(1, 1, 1, d);
        var (k, v) = cache.Update(0, next, next);
        Assert.Equal(t + 1, k.shape[2]);
        Assert.True(k.narrow(2, t, 1).eq(next).all().item<bool>(), "the new entry is returned as given");
        return (k.narrow(2, 0, t), v.narrow(2, 0, t));
    }

    [Fact]
    public void ResidualHoldsTModRKeysAndMinTRValues()
    {
        using var scope = NewDisposeScope();
        using var cache = new KiviKvCache(2, 8, ScalarType.Float32, new KiviOptions { GroupSize = 4, ResidualLength = 8 });
        var g = new Generator(5);
        for (var step = 1; step <= 30; step++)
        {
            using var s = NewDisposeScope();
            for (var layer = 0; layer < 2; layer++)
            {
                var (k, v) = cache.Update(layer, randn([1, 2, 1, 8], generator: g), randn([1, 2, 1, 8], generator: g));
                Assert.Equal(step, k.shape[2]);
                Assert.Equal(step, v.shape[2]);
            }
            Assert.Equal(step, cache.Length);
            Assert.Equal(step % 8, cache.ResidualKeyCount(1));
            Assert.Equal(Math.Min(step, 8), cache.ResidualValueCount(1));
        }

        // A prefill quantizes the largest multiple of R keys and all but the last R values.
        using var prefilled = new KiviKvCache(1, 8, ScalarType.Float32, new KiviOptions { GroupSize = 4, ResidualLength = 8 });
        prefilled.Update(0, randn([1, 2, 21, 8], generator: g), randn([1, 2, 21, 8], generator: g));
        Assert.Equal(5, prefilled.ResidualKeyCount(0));
        Assert.Equal(8, prefilled.ResidualValueCount(0));
    }

    [Fact]
    public void FourBitStorageIsUnderThreeTenthsOfDenseForLongSequences()
    {
        using var scope = NewDisposeScope();
        const int layers = 2, kvHeads = 2, headDim = 64, tokens = 2048;
        var g = new Generator(11);
        using var dense = new DenseKvCache(layers, 1, kvHeads, headDim, tokens, ScalarType.Float32);
        using var kivi4 = new KiviKvCache(layers, headDim, ScalarType.Float32, new KiviOptions { Bits = 4 });
        using var kivi2 = new KiviKvCache(layers, headDim, ScalarType.Float32, new KiviOptions { Bits = 2 });
        for (var layer = 0; layer < layers; layer++)
        {
            using var s = NewDisposeScope();
            var k = randn([1, kvHeads, tokens, headDim], generator: g);
            var v = randn([1, kvHeads, tokens, headDim], generator: g);
            dense.Update(layer, k, v);
            kivi4.Update(layer, k, v);
            kivi2.Update(layer, k, v);
        }
        Assert.Equal(2L * layers * kvHeads * tokens * headDim * 4, dense.StorageBytes);
        var ratio4 = (double)kivi4.StorageBytes / dense.StorageBytes;
        var ratio2 = (double)kivi2.StorageBytes / dense.StorageBytes;
        output.WriteLine($"{tokens} tokens, head_dim {headDim}, fp32: KIVI-4 {ratio4:F3}x dense, KIVI-2 {ratio2:F3}x dense");
        Assert.InRange(ratio4, 0.125, 0.3);
        Assert.InRange(ratio2, 0.0625, ratio4 - 0.05);
    }

    [Fact]
    public void RejectsSettingsThatDoNotFit()
    {
        Assert.Throws<ArgumentException>(() => new KiviOptions { Bits = 3 }.Validate());
        Assert.Contains("multiple of GroupSize", Assert.Throws<ArgumentException>(() => new KiviOptions { GroupSize = 32, ResidualLength = 48 }.Validate()).Message);
        Assert.Throws<ArgumentException>(() => new KiviKvCache(1, 12, ScalarType.Float32, new KiviOptions { GroupSize = 8, ResidualLength = 8 }));
    }
}
