using ContextPress.Predictor.Caching;
using TorchSharp;
using static TorchSharp.torch;

namespace ContextPress.Predictor.Modules;

/// <summary>Pre-norm decoder layer: x + attn(norm(x)), then + mlp(norm(x)).</summary>
internal sealed class LlamaDecoderLayer : nn.Module
{
    [ComponentName(Name = "self_attn")] private readonly LlamaAttention _selfAttn;
    [ComponentName(Name = "mlp")] private readonly LlamaMlp _mlp;
    [ComponentName(Name = "input_layernorm")] private readonly RmsNorm _inputLayerNorm;
    [ComponentName(Name = "post_attention_layernorm")] private readonly RmsNorm _postAttentionLayerNorm;
    private readonly int _index;

    public LlamaDecoderLayer(LlamaConfig config, int index, ScalarType dtype) : base(nameof(LlamaDecoderLayer))
    {
        _index = index;
        _selfAttn = new LlamaAttention(config, dtype);
        _mlp = new LlamaMlp(config, dtype, index);
        _inputLayerNorm = new RmsNorm(config.HiddenSize, config.RmsNormEps, dtype);
        _postAttentionLayerNorm = new RmsNorm(config.HiddenSize, config.RmsNormEps, dtype);
        RegisterComponents();
    }

    public Tensor Forward(Tensor x, Tensor cos, Tensor sin, Tensor? mask, IKvCache? cache)
    {
        using var scope = NewDisposeScope();
        var h = x + _selfAttn.Forward(_inputLayerNorm.forward(x), cos, sin, mask, cache, _index);
        var y = h + _mlp.forward(_postAttentionLayerNorm.forward(h));
        return y.MoveToOuterDisposeScope();
    }

    /// <summary>The attention block.</summary>
    internal LlamaAttention SelfAttention => _selfAttn;

    /// <summary>The MLP block.</summary>
    internal LlamaMlp Mlp => _mlp;

    public void FuseProjections()
    {
        _selfAttn.FuseProjections();
        _mlp.FuseProjections();
    }
}
