using ContextPress.Predictor.Caching;
using ContextPress.Predictor.Compression;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ContextPress.Predictor.Modules;

/// <summary>Multi-head attention with GQA and RoPE (Llama/Qwen2/Mistral), appending to an <see cref="IKvCache"/>.</summary>
internal sealed class LlamaAttention : nn.Module
{
    // Typed as modules, not Linear: compression may swap any projection for a compressed one (see ReplaceProjection).
    [ComponentName(Name = "q_proj")] private nn.Module<Tensor, Tensor> _qProj;
    [ComponentName(Name = "k_proj")] private nn.Module<Tensor, Tensor> _kProj;
    [ComponentName(Name = "v_proj")] private nn.Module<Tensor, Tensor> _vProj;
    [ComponentName(Name = "o_proj")] private nn.Module<Tensor, Tensor> _oProj;
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
        InputObserver?.Observe(layer, LinearInputSite.AttentionInput, x);
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
            var grouped = nn.functional.scaled_dot_product_attention(q.reshape(b, _kvHeads, groups, _headDim), k, v).reshape(b, 1, _heads * _headDim);
            InputObserver?.Observe(layer, LinearInputSite.AttentionOutput, grouped);
            return _oProj.forward(grouped).MoveToOuterDisposeScope();
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
        InputObserver?.Observe(layer, LinearInputSite.AttentionOutput, merged);
        return _oProj.forward(merged).MoveToOuterDisposeScope();
    }

    /// <summary>Sees the inputs of the projections during a forward pass (calibration); null (the default) costs nothing.</summary>
    internal ILinearInputObserver? InputObserver { get; set; }

    /// <summary>The projection named <paramref name="name"/> (<c>q_proj</c>, <c>k_proj</c>, <c>v_proj</c>, <c>o_proj</c>).</summary>
    internal nn.Module<Tensor, Tensor> GetProjection(string name) => name switch
    {
        "q_proj" => _qProj,
        "k_proj" => _kProj,
        "v_proj" => _vProj,
        "o_proj" => _oProj,
        _ => throw new ArgumentException($"LlamaAttention has no projection '{name}'.", nameof(name)),
    };

    /// <summary>
    /// Swaps a projection for <paramref name="replacement"/> (same input and output widths), undoing the q/k/v fusion when
    /// it involves q, k or v. The old module is disposed.
    /// </summary>
    internal void ReplaceProjection(string name, nn.Module<Tensor, Tensor> replacement)
    {
        var old = GetProjection(name);
        if (name != "o_proj")
        {
            // The other projections' parameters are views of the packed matrix; they keep its storage alive.
            _qkvWeight?.Dispose();
            _qkvBias?.Dispose();
            _qkvWeight = null;
            _qkvBias = null;
        }
        register_module(name, null!);
        register_module(name, replacement);
        switch (name)
        {
            case "q_proj": _qProj = replacement; break;
            case "k_proj": _kProj = replacement; break;
            case "v_proj": _vProj = replacement; break;
            default: _oProj = replacement; break;
        }
        old.Dispose();
    }

    /// <summary>
    /// Packs q/k/v into one matrix (one matmul per step instead of three). The three parameters become views of it, so
    /// the state dict keeps HF names and no memory is duplicated. Call after the model is on its device. Projections that
    /// compression replaced are not fused (each runs its own module).
    /// </summary>
    public void FuseProjections()
    {
        if (_qkvWeight is not null || _qProj is not Linear q || _kProj is not Linear k || _vProj is not Linear v)
        {
            return;
        }
        using var grad = no_grad();
        _qkvWeight = Pack([q, k, v], l => l.weight!, (l, p) => l.weight = p);
        if (q.bias is not null)
        {
            _qkvBias = Pack([q, k, v], l => l.bias!, (l, p) => l.bias = p);
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
