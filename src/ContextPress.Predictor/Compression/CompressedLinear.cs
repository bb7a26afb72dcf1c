using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ContextPress.Predictor.Compression;

/// <summary>
/// A block projection whose weight is stored compressed: <c>y = base(x) + bias + (x·Downᵀ)·Upᵀ</c>, where the last
/// term is an optional EoRA low-rank correction (<c>eora_down</c> [r, in], <c>eora_up</c> [out, r]). State-dict names
/// are the checkpoint's: a module at <c>N</c> stores <c>N.bias</c>, <c>N.eora_down</c>, ... plus its kind's own tensors.
/// </summary>
public abstract class CompressedLinear : nn.Module<Tensor, Tensor>
{
    /// <summary>Name of the bias tensor.</summary>
    public const string BiasName = "bias";

    /// <summary>Name of the correction's down factor [r, in].</summary>
    public const string CorrectionDownName = "eora_down";

    /// <summary>Name of the correction's up factor [out, r].</summary>
    public const string CorrectionUpName = "eora_up";

    /// <summary>Registers nothing yet: subclasses register their tensors by name (the checkpoint's names).</summary>
    protected CompressedLinear(string name, long inFeatures, long outFeatures) : base(name)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inFeatures);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outFeatures);
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        // Marks the components as registered (there are no tensor fields to find), so that registering this module in a
        // parent does not look for them again; every tensor is registered explicitly, under its checkpoint name.
        RegisterComponents();
    }

    /// <summary>Input width.</summary>
    public long InFeatures { get; }

    /// <summary>Output width.</summary>
    public long OutFeatures { get; }

    /// <summary>The rank of the EoRA correction, 0 when there is none.</summary>
    public int CorrectionRank => GetTensor(CorrectionDownName) is { } down ? (int)down.shape[0] : 0;

    /// <summary>Bytes of every stored tensor (codes, scales, factors, bias, correction).</summary>
    public long StorageBytes => state_dict().Values.Sum(t => t.NumberOfElements * t.ElementSize);

    /// <summary>The layout to record in the checkpoint for this module.</summary>
    public CompressedLinearLayout Layout => DescribeBase() with
    {
        InFeatures = InFeatures,
        OutFeatures = OutFeatures,
        HasBias = GetTensor(BiasName) is not null,
        CorrectionRank = CorrectionRank > 0 ? CorrectionRank : null,
    };

    /// <summary>Adds (or replaces) the EoRA correction <c>(x·Downᵀ)·Upᵀ</c>; the factors are copied in this module's compute dtype.</summary>
    /// <exception cref="ArgumentException">The factors' shapes do not fit [r, in] and [out, r].</exception>
    public void SetCorrection(Tensor down, Tensor up)
    {
        ArgumentNullException.ThrowIfNull(down);
        ArgumentNullException.ThrowIfNull(up);
        if (down.dim() != 2 || up.dim() != 2 || down.shape[1] != InFeatures || up.shape[0] != OutFeatures || up.shape[1] != down.shape[0])
        {
            throw new ArgumentException(
                $"A correction for [{OutFeatures}, {InFeatures}] needs down [r, {InFeatures}] and up [{OutFeatures}, r], not [{string.Join(", ", down.shape)}] and [{string.Join(", ", up.shape)}].");
        }
        SetParameter(CorrectionDownName, down.to_type(ComputeType));
        SetParameter(CorrectionUpName, up.to_type(ComputeType));
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var scope = NewDisposeScope();
        var y = ForwardBase(input);
        if (GetTensor(BiasName) is { } bias)
        {
            y = y + bias;
        }
        if (GetTensor(CorrectionDownName) is { } down && GetTensor(CorrectionUpName) is { } up)
        {
            y = y + nn.functional.linear(nn.functional.linear(input, down), up);
        }
        return y.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The dense weight this module applies, [out, in], correction included (for error measurement and tests; a
    /// compressed model never materializes it). The result belongs to the caller's dispose scope.
    /// </summary>
    public Tensor ToDense(ScalarType dtype = ScalarType.Float32)
    {
        using var scope = NewDisposeScope();
        using var grad = no_grad();
        var w = BaseWeight().to_type(dtype);
        if (GetTensor(CorrectionDownName) is { } down && GetTensor(CorrectionUpName) is { } up)
        {
            w = w + up.to_type(dtype).mm(down.to_type(dtype));
        }
        return w.MoveToOuterDisposeScope();
    }

    /// <summary>Builds an empty module for <paramref name="layout"/>, ready to receive a checkpoint's tensors.</summary>
    /// <exception cref="InvalidDataException">The layout is invalid.</exception>
    public static CompressedLinear Create(CompressedLinearLayout layout, ScalarType dtype, string name = "layer")
    {
        ArgumentNullException.ThrowIfNull(layout);
        layout.Validate(name);
        CompressedLinear module = layout.Kind switch
        {
            CompressedLinearLayout.QuantizedKind => QuantizedLinear.CreateEmpty(layout.InFeatures, layout.OutFeatures, layout.Bits!.Value, layout.GroupSize!.Value, dtype),
            CompressedLinearLayout.LowRankKind => new LowRankLinear(
                zeros([layout.Rank!.Value, layout.InFeatures], dtype), zeros([layout.OutFeatures, layout.Rank.Value], dtype)),
            _ => new SparseLinear(zeros([layout.OutFeatures, layout.InFeatures], dtype), layout.Sparsity, layout.Pattern),
        };
        using var scope = NewDisposeScope();
        if (layout.HasBias)
        {
            module.SetBias(zeros(layout.OutFeatures, dtype));
        }
        if (layout.CorrectionRank is > 0 and var rank)
        {
            module.SetCorrection(zeros([rank, layout.InFeatures], dtype), zeros([layout.OutFeatures, rank], dtype));
        }
        return module;
    }

    /// <summary>Sets the bias [out] (copied, in the compute dtype), or removes it when null.</summary>
    public void SetBias(Tensor? bias)
    {
        if (bias is null)
        {
            return;
        }
        if (bias.dim() != 1 || bias.shape[0] != OutFeatures)
        {
            throw new ArgumentException($"A bias for {OutFeatures} outputs must be [{OutFeatures}], not [{string.Join(", ", bias.shape)}].", nameof(bias));
        }
        SetParameter(BiasName, bias.to_type(ComputeType));
    }

    /// <summary>The dtype inputs and outputs have (the dtype of the parameters).</summary>
    protected abstract ScalarType ComputeType { get; }

    /// <summary>y = x·Ŵᵀ for the stored weight Ŵ, without bias or correction.</summary>
    protected abstract Tensor ForwardBase(Tensor input);

    /// <summary>The stored weight Ŵ [out, in], without the correction.</summary>
    protected abstract Tensor BaseWeight();

    /// <summary>The kind-specific layout fields (kind, bits, rank, ...).</summary>
    protected abstract CompressedLinearLayout DescribeBase();

    /// <summary>A parameter or buffer of this module by name (not a submodule's), or null.</summary>
    protected Tensor? GetTensor(string name)
    {
        foreach (var (key, tensor) in named_parameters(recurse: false))
        {
            if (key == name)
            {
                return tensor;
            }
        }
        foreach (var (key, tensor) in named_buffers(recurse: false))
        {
            if (key == name)
            {
                return tensor;
            }
        }
        return null;
    }

    /// <summary>Registers <paramref name="value"/> (detached, owned by this module) as a frozen parameter, replacing any of that name.</summary>
    protected void SetParameter(string name, Tensor value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var old = GetTensor(name);
        var parameter = new Parameter(value.detach().clone().DetachFromDisposeScope(), requires_grad: false);
        if (old is not null)
        {
            using var grad = no_grad();
            if (old.shape.SequenceEqual(value.shape))
            {
                old.copy_(value);
                parameter.Dispose();
                return;
            }
            throw new ArgumentException($"'{name}' is already [{string.Join(", ", old.shape)}]; cannot replace it by [{string.Join(", ", value.shape)}].", nameof(value));
        }
        register_parameter(name, parameter);
    }

    /// <summary>Registers <paramref name="value"/> (detached, owned by this module) as a persistent buffer.</summary>
    protected void SetBuffer(string name, Tensor value)
    {
        ArgumentNullException.ThrowIfNull(value);
        register_buffer(name, value.detach().clone().DetachFromDisposeScope(), persistent: true);
    }
}
