using ContextPress.Predictor.Modules;
using static TorchSharp.torch;

namespace ContextPress.Predictor.Tests;

public sealed class RotaryEmbeddingTests
{
    /// <summary>transformers' _compute_llama3_parameters, in doubles.</summary>
    private static double[] Llama3InvFreq(int headDim, double theta, RopeScalingConfig s)
    {
        var result = new double[headDim / 2];
        var low = s.OriginalMaxPositionEmbeddings / s.LowFreqFactor;
        var high = s.OriginalMaxPositionEmbeddings / s.HighFreqFactor;
        for (var i = 0; i < result.Length; i++)
        {
            var f = 1.0 / Math.Pow(theta, 2.0 * i / headDim);
            var wavelen = 2 * Math.PI / f;
            if (wavelen < high)
            {
                result[i] = f;
            }
            else if (wavelen > low)
            {
                result[i] = f / s.Factor;
            }
            else
            {
                var smooth = (s.OriginalMaxPositionEmbeddings / wavelen - s.LowFreqFactor) / (s.HighFreqFactor - s.LowFreqFactor);
                result[i] = (1 - smooth) * f / s.Factor + smooth * f;
            }
        }
        return result;
    }

    [Theory]
    [InlineData(null)]
    [InlineData("llama3")]
    [InlineData("linear")]
    public void TablesFollowTheScalingRule(string? kind)
    {
        const int headDim = 64;
        const double theta = 500000;
        var scaling = kind is null ? null : new RopeScalingConfig { RopeType = kind, Factor = 8, LowFreqFactor = 1, HighFreqFactor = 4, OriginalMaxPositionEmbeddings = 8192 };
        var expected = kind switch
        {
            "llama3" => Llama3InvFreq(headDim, theta, scaling!),
            "linear" => Enumerable.Range(0, headDim / 2).Select(i => 1.0 / Math.Pow(theta, 2.0 * i / headDim) / 8).ToArray(),
            _ => Enumerable.Range(0, headDim / 2).Select(i => 1.0 / Math.Pow(theta, 2.0 * i / headDim)).ToArray(),
        };
        if (kind == "llama3")
        {
            // The three regimes are all exercised at this size: kept, divided, smoothed.
            var plain = Enumerable.Range(0, headDim / 2).Select(i => 1.0 / Math.Pow(theta, 2.0 * i / headDim)).ToArray();
            Assert.Contains(expected.Zip(plain), p => p.First == p.Second);
            Assert.Contains(expected.Zip(plain), p => Math.Abs(p.First - p.Second / 8) < 1e-15);
            Assert.Contains(expected.Zip(plain), p => p.First < p.Second && p.First > p.Second / 8 * 1.0001);
        }

        using var rotary = new RotaryEmbedding(headDim, theta, scaling);
        using var scope = NewDisposeScope();
        const int position = 37;
        var (cos, sin) = rotary.Get(position, 1, ScalarType.Float32, CPU);
        var c = cos.flatten().data<float>().ToArray();
        var s = sin.flatten().data<float>().ToArray();
        for (var i = 0; i < headDim; i++)
        {
            var angle = position * expected[i % (headDim / 2)];
            Assert.True(Math.Abs(c[i] - Math.Cos(angle)) < 2e-5, $"{kind} cos[{i}]: {c[i]} vs {Math.Cos(angle)}");
            Assert.True(Math.Abs(s[i] - Math.Sin(angle)) < 2e-5, $"{kind} sin[{i}]: {s[i]} vs {Math.Sin(angle)}");
        }
    }
}
