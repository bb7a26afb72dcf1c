using ContextPress.Predictor.Caching;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ContextPress.Predictor.Modules;

/// <summary>The decoder stack (HF <c>model.*</c>): embeddings, layers, final norm.</summary>
internal sealed class LlamaModel : nn.Module
{
    [ComponentName(Name = "embed_tokens")] private readonly Embedding _embedTokens;
    [ComponentName(Name = "layers")] private readonly ModuleList<LlamaDecoderLayer> _layers;
    [ComponentName(Name = "norm")] private readonly RmsNorm _norm;
    private readonly int? _slidingWindow;
    private readonly RotaryEmbedding _rotary;

    public LlamaModel(LlamaConfig config, ScalarType dtype) : base(nameof(LlamaModel))
    {
        _embedTokens = nn.Embedding(config.VocabSize, config.HiddenSize, dtype: dtype);
        _layers = new ModuleList<LlamaDecoderLayer>();
        for (var i = 0; i < config.NumHiddenLayers; i++)
        {
            _layers.Add(new LlamaDecoderLayer(config, i, dtype));
        }
        _norm = new RmsNorm(config.HiddenSize, config.RmsNormEps, dtype);
        var windowed = config.SlidingWindow is > 0 && (config.UseSlidingWindow ?? config.ModelType == "mistral");
        _slidingWindow = windowed ? config.SlidingWindow : null;
        RegisterComponents();
        // Derived state, kept out of the state dict (assigned after registration).
        _rotary = new RotaryEmbedding(config.HeadDimension, config.RopeTheta, config.RopeScaling);
    }

    /// <summary>The decoder layers.</summary>
    internal IList<LlamaDecoderLayer> Layers => _layers;

    /// <summary>The input embedding matrix [vocab, hidden] (shared by a tied output head).</summary>
    public Parameter EmbeddingWeight => _embedTokens.weight!;

    /// <summary>
    /// Hidden states after the final norm, [B, T, hidden]. Positions start at the cache's length (tokens seen). With
    /// <paramref name="leftPadding"/> (per row: how many leading slots of the sequence, cached ones included, are padding),
    /// each row's positions start at its first real token and padding is never attended to.
    /// </summary>
    public Tensor Forward(Tensor inputIds, IKvCache? cache, IReadOnlyList<long>? leftPadding = null)
    {
        using var scope = NewDisposeScope();
        // Rotary positions continue from the tokens seen; attention spans the entries the cache still holds, which an
        // evicting cache keeps fewer of (all of them older than the new tokens, so only the new ones need a causal mask).
        var past = cache?.Length ?? 0;
        var stored = cache?.StoredLength ?? 0;
        var t = inputIds.shape[1];
        var padded = leftPadding is not null && leftPadding.Any(p => p != 0);
        if (stored != past && (padded || _slidingWindow is not null))
        {
            throw new NotSupportedException(
                $"The KV cache keeps {stored} of {past} past tokens; an evicting cache cannot be combined with {(padded ? "left padding (batched prompts)" : "a sliding-window model")}.");
        }
        var h = _embedTokens.forward(inputIds);
        Tensor cos, sin;
        Tensor? mask;
        if (padded)
        {
            if (leftPadding!.Count != inputIds.shape[0])
            {
                throw new ArgumentException($"{leftPadding.Count} padding counts for a batch of {inputIds.shape[0]}.", nameof(leftPadding));
            }
            var pad = tensor(leftPadding.ToArray(), ScalarType.Int64).to(h.device);
            var slots = arange(past, past + t, dtype: ScalarType.Int64, device: h.device);
            var positions = (slots.unsqueeze(0) - pad.unsqueeze(1)).clamp_min(0);
            (cos, sin) = _rotary.GetAt(positions, past + t, h.dtype, h.device);
            mask = BuildPaddedMask(past, t, pad, h.device);
        }
        else
        {
            (cos, sin) = _rotary.Get(past, t, h.dtype, h.device);
            mask = BuildMask(stored, t, h.device);
        }
        foreach (var layer in _layers)
        {
            h = layer.Forward(h, cos, sin, mask, cache);
        }
        return _norm.forward(h).MoveToOuterDisposeScope();
    }

    public void FuseProjections()
    {
        foreach (var layer in _layers)
        {
            layer.FuseProjections();
        }
    }

    /// <summary>Null when plain causal attention over the new tokens is right; else a boolean [T, past + T] mask, true = attend.</summary>
    private Tensor? BuildMask(long past, long t, Device device)
    {
        var total = past + t;
        var windowBites = _slidingWindow is { } w && total > w;
        if (!windowBites && (past == 0 || t == 1))
        {
            return null;
        }
        var query = arange(past, total, dtype: ScalarType.Int64, device: device).unsqueeze(1);
        var key = arange(0, total, dtype: ScalarType.Int64, device: device).unsqueeze(0);
        var allowed = key <= query;
        if (_slidingWindow is { } window)
        {
            allowed = allowed.logical_and(query - key < window);
        }
        return allowed;
    }

    /// <summary>Boolean [B, 1, T, past + T]: causal, never a padding key; a padding query attends to itself only (its output is unused).</summary>
    private Tensor BuildPaddedMask(long past, long t, Tensor pad, Device device)
    {
        var total = past + t;
        var query = arange(past, total, dtype: ScalarType.Int64, device: device).view(1, t, 1);
        var key = arange(0, total, dtype: ScalarType.Int64, device: device).view(1, 1, total);
        var allowed = (key <= query).logical_and(key >= pad.view(-1, 1, 1));
        if (_slidingWindow is { } window)
        {
            allowed = allowed.logical_and(query - key < window);
        }
        return allowed.logical_or(key == query).unsqueeze(1);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _rotary.Dispose();
        }
        base.Dispose(disposing);
    }
}
