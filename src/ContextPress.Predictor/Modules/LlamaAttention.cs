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
    private Tensor? _qkvWeight;
    private Tensor? _qkvBias;

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
    /// <param name="mask">Boolean [T, S] (true = attend; S = the cache's stored entries + T), or null for plain causal attention over the new tokens only / a single token.</param>
    /// <param name="cache">Past keys and values, or null.</param>
    /// <param name="layer">This layer's index in the cache.</param>
    public Tensor Forward(Tensor x, Tensor cos, Tensor sin, Tensor? mask, IKvCache? cache, int layer)
    {
        using var scope = NewDisposeScope();
        var b = x.shape[0];
        var t = x.shape[1];
        Tensor q, k, v;
        if (_qkvWeight is not null)
        {
            var qkv = nn.functional.linear(x, _qkvWeight, _qkvBias).view(b, t, _heads + 2 * _kvHeads, _headDim);
            q = qkv.narrow(2, 0, _heads).transpose(1, 2);
            k = qkv.narrow(2, _heads, _kvHeads).transpose(1, 2);
            v = qkv.narrow(2, _heads + _kvHeads, _kvHeads).transpose(1, 2);
        }
        else
        {
            q = _qProj.forward(x).view(b, t, _heads, _headDim).transpose(1, 2);
            k = _kProj.forward(x).view(b, t, _kvHeads, _headDim).transpose(1, 2);
            v = _vProj.forward(x).view(b, t, _kvHeads, _headDim).transpose(1, 2);
        }
        q = RotaryEmbedding.Apply(q, cos, sin);
        k = RotaryEmbedding.Apply(k, cos, sin);
        if (cache is not null)
        {
            if (cache is IQueryObservingKvCache observing)
            {
                observing.ObserveQueries(layer, q);
            }
            (k, v) = cache.Update(layer, k, v);
        }
        var groups = _heads / _kvHeads;
        if (groups > 1 && t == 1 && mask is null)
        {
            // One query per head and no mask: let each KV head's query group play the part of the query positions,
            // so SDPA reads the cache as it is instead of a repeat_interleave copy per step.
            var grouped = nn.functional.scaled_dot_product_attention(q.reshape(b, _kvHeads, groups, _headDim), k, v);
            return _oProj.forward(grouped.reshape(b, 1, _heads * _headDim)).MoveToOuterDisposeScope();
        }
        if (groups > 1)
        {
            k = k.repeat_interleave(groups, dim: 1);
            v = v.repeat_interleave(groups, dim: 1);
        }
        var attended = mask is null
            ? nn.functional.scaled_dot_product_attention(q, k, v, is_casual: t > 1)
            : nn.functional.scaled_dot_product_attention(q, k, v, attn_mask: mask);
        var merged = attended.transpose(1, 2).reshape(b, t, _heads * _headDim);
        return _oProj.forward(merged).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Packs q/k/v into one matrix (one matmul per step instead of three). The three parameters become views of it, so
    /// the state dict keeps HF names and no memory is duplicated. Call after the model is on its device.
    /// </summary>
    public void FuseProjections()
    {
        if (_qkvWeight is not null)
        {
            return;
        }
        using var grad = no_grad();
        _qkvWeight = Pack([_qProj, _kProj, _vProj], l => l.weight!, (l, p) => l.weight = p);
        if (_qProj.bias is not null)
        {
            _qkvBias = Pack([_qProj, _kProj, _vProj], l => l.bias!, (l, p) => l.bias = p);
        }
    }

    /// <summary>Concatenates a parameter of several linears along dim 0 and re-points each at its slice of the result.</summary>
    internal static Tensor Pack(Linear[] linears, Func<Linear, Parameter> get, Action<Linear, Parameter> set)
    {
        using var scope = NewDisposeScope();
        var packed = cat(linears.Select(l => (Tensor)get(l)).ToArray(), 0).DetachFromDisposeScope();
        long offset = 0;
        foreach (var linear in linears)
        {
            var rows = get(linear).shape[0];
            set(linear, new Parameter(packed.narrow(0, offset, rows), requires_grad: false));
            offset += rows;
        }
        return packed;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _qkvWeight?.Dispose();
            _qkvBias?.Dispose();
        }
        base.Dispose(disposing);
    }
}
