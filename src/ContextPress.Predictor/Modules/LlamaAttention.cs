using ContextPress.Predictor.Caching;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ContextPress.Predictor.Modules;

/// <summary>Multi-head attention with GQA and RoPE (Llama/Qwen2/Mistral), appending to an <see cref="IKvCache"/>.</summary>
internal sealed class LlamaAttention : nn.Module
{
    [ComponentName(Name = "q_proj")] private readonly Linear _qProj;
    [ComponentName(Name = "k_proj")] private readonly Linear _kProj;
    [ComponentName(Name = "v_proj")] private readonly Linear _vProj;
    [ComponentName(Name = "o_proj")] private readonly Linear _oProj;
    private readonly int _heads;
    private readonly int _kvHeads;
    private readonly int _headDim;

    public LlamaAttention(LlamaConfig config, ScalarType dtype) : base(nameof(LlamaAttention))
    {
        _heads = config.NumAttentionHeads;
        _kvHeads = config.KeyValueHeads;
        _headDim = config.HeadDimension;
        _qProj = nn.Linear(config.HiddenSize, _heads * _headDim, hasBias: config.QkvBias, dtype: dtype);
        _kProj = nn.Linear(config.HiddenSize, _kvHeads * _headDim, hasBias: config.QkvBias, dtype: dtype);
        _vProj = nn.Linear(config.HiddenSize, _kvHeads * _headDim, hasBias: config.QkvBias, dtype: dtype);
        _oProj = nn.Linear(_heads * _headDim, config.HiddenSize, hasBias: config.OutputBias, dtype: dtype);
        RegisterComponents();
    }

    /// <param name="x">[B, T, hidden].</param>
    /// <param name="cos">RoPE cos, [1, 1, T, headDim].</param>
    /// <param name="sin">RoPE sin, [1, 1, T, headDim].</param>
    /// <param name="mask">Boolean [T, S] (true = attend), or null for plain causal attention over the new tokens only / a single token.</param>
    /// <param name="cache">Past keys and values, or null.</param>
    /// <param name="layer">This layer's index in the cache.</param>
    public Tensor Forward(Tensor x, Tensor cos, Tensor sin, Tensor? mask, IKvCache? cache, int layer)
    {
        using var scope = NewDisposeScope();
        var b = x.shape[0];
        var t = x.shape[1];
        var q = _qProj.forward(x).view(b, t, _heads, _headDim).transpose(1, 2);
        var k = _kProj.forward(x).view(b, t, _kvHeads, _headDim).transpose(1, 2);
        var v = _vProj.forward(x).view(b, t, _kvHeads, _headDim).transpose(1, 2);
        q = RotaryEmbedding.Apply(q, cos, sin);
        k = RotaryEmbedding.Apply(k, cos, sin);
        if (cache is not null)
        {
            (k, v) = cache.Update(layer, k, v);
        }
        if (_kvHeads != _heads)
        {
            k = k.repeat_interleave(_heads / _kvHeads, dim: 1);
            v = v.repeat_interleave(_heads / _kvHeads, dim: 1);
        }
        var attended = mask is null
            ? nn.functional.scaled_dot_product_attention(q, k, v, is_casual: t > 1)
            : nn.functional.scaled_dot_product_attention(q, k, v, attn_mask: mask);
        var merged = attended.transpose(1, 2).reshape(b, t, _heads * _headDim);
        return _oProj.forward(merged).MoveToOuterDisposeScope();
    }
}
