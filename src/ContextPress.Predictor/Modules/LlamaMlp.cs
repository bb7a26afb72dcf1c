using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ContextPress.Predictor.Modules;

/// <summary>SwiGLU MLP: down(silu(gate(x)) * up(x)).</summary>
internal sealed class LlamaMlp : nn.Module<Tensor, Tensor>
{
    [ComponentName(Name = "gate_proj")] private readonly Linear _gateProj;
    [ComponentName(Name = "up_proj")] private readonly Linear _upProj;
    [ComponentName(Name = "down_proj")] private readonly Linear _downProj;
    private readonly long _intermediate;
    private Tensor? _gateUpWeight;
    private Tensor? _gateUpBias;

    public LlamaMlp(LlamaConfig config, ScalarType dtype) : base(nameof(LlamaMlp))
    {
        _intermediate = config.IntermediateSize;
        _gateProj = nn.Linear(config.HiddenSize, config.IntermediateSize, hasBias: config.MlpBias, dtype: dtype);
        _upProj = nn.Linear(config.HiddenSize, config.IntermediateSize, hasBias: config.MlpBias, dtype: dtype);
        _downProj = nn.Linear(config.IntermediateSize, config.HiddenSize, hasBias: config.MlpBias, dtype: dtype);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
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
        return _downProj.forward(h).MoveToOuterDisposeScope();
    }

    /// <summary>Packs gate and up into one matrix (see <see cref="LlamaAttention.FuseProjections"/>).</summary>
    public void FuseProjections()
    {
        if (_gateUpWeight is not null)
        {
            return;
        }
        using var grad = no_grad();
        _gateUpWeight = LlamaAttention.Pack([_gateProj, _upProj], l => l.weight!, (l, p) => l.weight = p);
        if (_gateProj.bias is not null)
        {
            _gateUpBias = LlamaAttention.Pack([_gateProj, _upProj], l => l.bias!, (l, p) => l.bias = p);
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
