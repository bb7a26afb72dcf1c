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

    public LlamaMlp(LlamaConfig config, ScalarType dtype) : base(nameof(LlamaMlp))
    {
        _gateProj = nn.Linear(config.HiddenSize, config.IntermediateSize, hasBias: config.MlpBias, dtype: dtype);
        _upProj = nn.Linear(config.HiddenSize, config.IntermediateSize, hasBias: config.MlpBias, dtype: dtype);
        _downProj = nn.Linear(config.IntermediateSize, config.HiddenSize, hasBias: config.MlpBias, dtype: dtype);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = nn.functional.silu(_gateProj.forward(x)) * _upProj.forward(x);
        return _downProj.forward(h).MoveToOuterDisposeScope();
    }
}
