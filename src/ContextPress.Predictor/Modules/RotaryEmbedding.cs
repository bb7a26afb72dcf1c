using static TorchSharp.torch;

namespace ContextPress.Predictor.Modules;

/// <summary>
/// Rotary position embedding tables (rotate-half layout, as Hugging Face's Llama), with default, linear and llama3
/// frequency scaling. Not a registered module: its tables are derived state, never part of a checkpoint. Tables grow on
/// demand and are computed in fp32 exactly as transformers does (outer product, then cos/sin), then cast.
/// </summary>
internal sealed class RotaryEmbedding : IDisposable
{
    private readonly Tensor _invFreq;
    private Tensor? _cos;
    private Tensor? _sin;
    private long _capacity;

    public RotaryEmbedding(int headDim, double theta, RopeScalingConfig? scaling)
    {
        using var scope = NewDisposeScope();
        var exponent = arange(0, headDim, 2, dtype: ScalarType.Int64).to_type(ScalarType.Float32) / headDim;
        var invFreq = 1.0f / tensor((float)theta).pow(exponent);
        if (scaling is not null)
        {
            invFreq = Scale(invFreq, scaling);
        }
        _invFreq = invFreq.DetachFromDisposeScope();
    }

    private static Tensor Scale(Tensor invFreq, RopeScalingConfig scaling)
    {
        switch (scaling.Kind)
        {
            case "linear":
                return invFreq / scaling.Factor;
            case "llama3":
                {
                    double original = scaling.OriginalMaxPositionEmbeddings;
                    var lowFreqWavelen = original / scaling.LowFreqFactor;
                    var highFreqWavelen = original / scaling.HighFreqFactor;
                    var wavelen = 2 * Math.PI / invFreq;
                    var scaled = where(wavelen > lowFreqWavelen, invFreq / scaling.Factor, invFreq);
                    var smooth = (original / wavelen - scaling.LowFreqFactor) / (scaling.HighFreqFactor - scaling.LowFreqFactor);
                    var smoothed = (1 - smooth) * scaled / scaling.Factor + smooth * scaled;
                    var medium = (wavelen >= highFreqWavelen).logical_and(wavelen <= lowFreqWavelen);
                    return where(medium, smoothed, scaled);
                }
            default:
                return invFreq;
        }
    }

    /// <summary>cos and sin for positions [start, start + length), shaped [1, 1, length, headDim], in <paramref name="dtype"/> on <paramref name="device"/>.</summary>
    public (Tensor Cos, Tensor Sin) Get(long start, long length, ScalarType dtype, Device device)
    {
        var end = start + length;
        if (_cos is null || _cos.dtype != dtype || _cos.device_type != device.type || _cos.device_index != device.index)
        {
            Build(Math.Max(end, 256), dtype, device);
        }
        else if (end > _capacity)
        {
            Build(Math.Max(end, _capacity * 2), dtype, device);
        }
        return (_cos!.narrow(2, start, length), _sin!.narrow(2, start, length));
    }

    /// <summary>cos and sin at per-row positions ([B, T] int64, all below <paramref name="end"/>), shaped [B, 1, T, headDim].</summary>
    public (Tensor Cos, Tensor Sin) GetAt(Tensor positions, long end, ScalarType dtype, Device device)
    {
        var (cos, sin) = Get(0, end, dtype, device);
        var b = positions.shape[0];
        var t = positions.shape[1];
        var flat = positions.flatten();
        var headDim = cos.shape[^1];
        return (cos[0, 0].index_select(0, flat).view(b, 1, t, headDim), sin[0, 0].index_select(0, flat).view(b, 1, t, headDim));
    }

    private void Build(long capacity, ScalarType dtype, Device device)
    {
        using var scope = NewDisposeScope();
        var positions = arange(0, capacity, dtype: ScalarType.Int64).to_type(ScalarType.Float32);
        var freqs = outer(positions, _invFreq);
        var emb = cat([freqs, freqs], -1);
        var cos = emb.cos().to(dtype, device).unsqueeze(0).unsqueeze(0);
        var sin = emb.sin().to(dtype, device).unsqueeze(0).unsqueeze(0);
        _cos?.Dispose();
        _sin?.Dispose();
        _cos = cos.DetachFromDisposeScope();
        _sin = sin.DetachFromDisposeScope();
        _capacity = capacity;
    }

    /// <summary>x * cos + rotate_half(x) * sin, for x shaped [B, heads, T, headDim].</summary>
    public static Tensor Apply(Tensor x, Tensor cos, Tensor sin)
    {
        using var scope = NewDisposeScope();
        var half = x.shape[^1] / 2;
        var rotated = cat([x.narrow(-1, half, half).neg(), x.narrow(-1, 0, half)], -1);
        return (x * cos + rotated * sin).MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        _invFreq.Dispose();
        _cos?.Dispose();
        _sin?.Dispose();
    }
}
