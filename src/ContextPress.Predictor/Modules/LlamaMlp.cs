using ContextPress.Predictor.Compression;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ContextPress.Predictor.Modules;

/// <summary>SwiGLU MLP: down(silu(gate(x)) * up(x)).</summary>
internal sealed class LlamaMlp : nn.Module<Tensor, Tensor>
{
    // Typed as modules, not Linear: compression may swap any projection for a compressed one (see ReplaceProjection).
    [ComponentName(Name = "gate_proj")] private nn.Module<Tensor, Tensor> _gateProj;
    [ComponentName(Name = "up_proj")] private nn.Module<Tensor, Tensor> _upProj;
    [ComponentName(Name = "down_proj")] private nn.Module<Tensor, Tensor> _downProj;
    private readonly long _intermediate;
    private readonly int _layer;
    private Tensor? _gateUpWeight;
    private Tensor? _gateUpBias;

    public LlamaMlp(LlamaConfig config, ScalarType dtype, int layer = 0) : base(nameof(LlamaMlp))
    {
        _layer = layer;
        _intermediate = config.IntermediateSize;
        _gateProj = nn.Linear(config.HiddenSize, config.IntermediateSize, hasBias: config.MlpBias, dtype: dtype);
        _upProj = nn.Linear(config.HiddenSize, config.IntermediateSize, hasBias: config.MlpBias, dtype: dtype);
        _downProj = nn.Linear(config.IntermediateSize, config.HiddenSize, hasBias: config.MlpBias, dtype: dtype);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        InputObserver?.Observe(_layer, LinearInputSite.MlpInput, x);
        Tensor h;
        if (_gateUpWeight is not null)
        {
            var gateUp = nn.functional.linear(x, _gateUpWeight, _gateUpBias);
            h = nn.functional.silu(gateUp.narrow(-1, 0, _intermediate)) * gateUp.narrow(-1, _intermediate, _intermediate);
        }
        else
        {
            h = nn.functional.silu(_gateProj.forward(x)) * _upProj.forward(x);
        }
        InputObserver?.Observe(_layer, LinearInputSite.MlpOutput, h);
        return _downProj.forward(h).MoveToOuterDisposeScope();
    }

    /// <summary>Sees the inputs of the projections during a forward pass (calibration); null (the default) costs nothing.</summary>
    internal ILinearInputObserver? InputObserver { get; set; }

    /// <summary>The projection named <paramref name="name"/> (<c>gate_proj</c>, <c>up_proj</c>, <c>down_proj</c>).</summary>
    internal nn.Module<Tensor, Tensor> GetProjection(string name) => name switch
    {
        "gate_proj" => _gateProj,
        "up_proj" => _upProj,
        "down_proj" => _downProj,
        _ => throw new ArgumentException($"LlamaMlp has no projection '{name}'.", nameof(name)),
    };

    /// <summary>Swaps a projection for <paramref name="replacement"/>, undoing the gate/up fusion when it involves gate or up. The old module is disposed.</summary>
    internal void ReplaceProjection(string name, nn.Module<Tensor, Tensor> replacement)
    {
        var old = GetProjection(name);
        if (name != "down_proj")
        {
            _gateUpWeight?.Dispose();
            _gateUpBias?.Dispose();
            _gateUpWeight = null;
            _gateUpBias = null;
        }
        register_module(name, null!);
        register_module(name, replacement);
        switch (name)
        {
            case "gate_proj": _gateProj = replacement; break;
            case "up_proj": _upProj = replacement; break;
            default: _downProj = replacement; break;
        }
        old.Dispose();
    }

    /// <summary>Packs gate and up into one matrix (see <see cref="LlamaAttention.FuseProjections"/>); not when either was replaced by compression.</summary>
    public void FuseProjections()
    {
        if (_gateUpWeight is not null || _gateProj is not Linear gate || _upProj is not Linear up)
        {
            return;
        }
        using var grad = no_grad();
        _gateUpWeight = LlamaAttention.Pack([gate, up], l => l.weight!, (l, p) => l.weight = p);
        if (gate.bias is not null)
        {
            _gateUpBias = LlamaAttention.Pack([gate, up], l => l.bias!, (l, p) => l.bias = p);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _gateUpWeight?.Dispose();
            _gateUpBias?.Dispose();
        }
        base.Dispose(disposing);
    }
}
