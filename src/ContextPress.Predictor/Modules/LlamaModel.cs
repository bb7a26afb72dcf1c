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

    /// <summary>The input embedding matrix [vocab, hidden] (shared by a tied output head).</summary>
    public Parameter EmbeddingWeight => _embedTokens.weight!;

    /// <summary>Hidden states after the final norm, [B, T, hidden]. Positions start at the cache's length.</summary>
    public Tensor Forward(Tensor inputIds, IKvCache? cache)
    {
        using var scope = NewDisposeScope();
        var past = cache?.Length ?? 0;
        var t = inputIds.shape[1];
        var h = _embedTokens.forward(inputIds);
        var (cos, sin) = _rotary.Get(past, t, h.dtype, h.device);
        var mask = BuildMask(past, t, h.device);
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

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _rotary.Dispose();
        }
        base.Dispose(disposing);
    }
}
