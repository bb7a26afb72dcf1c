using static TorchSharp.torch;

namespace ContextPress.Predictor.Compression;

/// <summary>
/// A pruned projection: the dense <c>weight</c> [out, in] with its pruned entries zero. A plain Linear holds a pruned
/// weight just as well (and fuses with its neighbours); this module exists so that a pruned weight can carry an EoRA
/// correction, and to record the sparsity it was pruned to.
/// </summary>
public sealed class SparseLinear : CompressedLinear
{
    /// <summary>Name of the dense weight, as in a plain Linear.</summary>
    public const string WeightName = "weight";

    private readonly double? _sparsity;
    private readonly string? _pattern;

    /// <summary>Builds the module from the pruned weight (copied) and an optional bias.</summary>
    /// <param name="weight">[out, in], zeros where pruned.</param>
    /// <param name="sparsity">The fraction of zeros it was pruned to, or null to count them.</param>
    /// <param name="pattern">The N:M pattern (<c>2:4</c>), or null for unstructured.</param>
    /// <param name="bias">Bias [out], or null.</param>
    public SparseLinear(Tensor weight, double? sparsity = null, string? pattern = null, Tensor? bias = null)
        : base(nameof(SparseLinear), Check(weight).shape[1], weight.shape[0])
    {
        ComputeType = weight.dtype;
        _pattern = pattern;
        _sparsity = sparsity;
        SetParameter(WeightName, weight);
        SetBias(bias);
    }

    /// <inheritdoc />
    protected override ScalarType ComputeType { get; }

    /// <summary>The fraction of weights that are zero.</summary>
    public static double ZeroFraction(Tensor weight)
    {
        ArgumentNullException.ThrowIfNull(weight);
        using var scope = NewDisposeScope();
        return weight.NumberOfElements == 0 ? 0 : weight.eq(0).sum().item<long>() / (double)weight.NumberOfElements;
    }

    /// <inheritdoc />
    protected override Tensor ForwardBase(Tensor input) => nn.functional.linear(input, GetTensor(WeightName)!);

    /// <inheritdoc />
    protected override Tensor BaseWeight() => GetTensor(WeightName)!.to_type(ScalarType.Float32);

    /// <inheritdoc />
    protected override CompressedLinearLayout DescribeBase() => new()
    {
        Kind = CompressedLinearLayout.SparseKind,
        InFeatures = InFeatures,
        OutFeatures = OutFeatures,
        Sparsity = _sparsity ?? ZeroFraction(GetTensor(WeightName)!),
        Pattern = _pattern,
    };

    private static Tensor Check(Tensor weight)
    {
        ArgumentNullException.ThrowIfNull(weight);
        return weight.dim() == 2 ? weight : throw new ArgumentException($"A weight must be [out, in], not [{string.Join(", ", weight.shape)}].", nameof(weight));
    }
}
