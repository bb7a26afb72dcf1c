using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ContextPress.Predictor.Modules;

/// <summary>RMSNorm as Hugging Face's Llama computes it: in fp32, cast back to the input dtype, then scaled.</summary>
internal sealed class RmsNorm : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // HF parameter name.
    private readonly Parameter weight;
#pragma warning restore IDE1006
    private readonly double _eps;

    public RmsNorm(long size, double eps, ScalarType dtype) : base(nameof(RmsNorm))
    {
        weight = nn.Parameter(ones(size, dtype: dtype), requires_grad: false);
        _eps = eps;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var inputType = x.dtype;
        var h = x.to_type(ScalarType.Float32);
        var variance = h.pow(2).mean([-1L], keepdim: true);
        h = h * rsqrt(variance + _eps);
        return (weight * h.to_type(inputType)).MoveToOuterDisposeScope();
    }
}
