using static TorchSharp.torch;

namespace ContextPress.Predictor.Compression;

/// <summary>
/// A projection stored as two factors, <c>Ŵ = Up·Down</c>: <c>low_rank_down</c> [rank, in] and <c>low_rank_up</c>
/// [out, rank]; the forward pass runs two matmuls. Saves parameters when rank &lt; in·out/(in+out).
/// </summary>
public sealed class LowRankLinear : CompressedLinear
{
    /// <summary>Name of the down factor [rank, in].</summary>
    public const string DownName = "low_rank_down";

    /// <summary>Name of the up factor [out, rank].</summary>
    public const string UpName = "low_rank_up";

    /// <summary>Builds the module from its factors (copied; the compute dtype is <paramref name="down"/>'s) and an optional bias.</summary>
    /// <exception cref="ArgumentException">The factors' shapes do not chain.</exception>
    public LowRankLinear(Tensor down, Tensor up, Tensor? bias = null)
        : base(nameof(LowRankLinear), Check(down, up).InFeatures, up.shape[0])
    {
        Rank = (int)down.shape[0];
        ComputeType = down.dtype;
        SetParameter(DownName, down);
        SetParameter(UpName, up.to_type(down.dtype));
        SetBias(bias);
    }

    /// <summary>The rank.</summary>
    public int Rank { get; }

    /// <inheritdoc />
    protected override ScalarType ComputeType { get; }

    /// <inheritdoc />
    protected override Tensor ForwardBase(Tensor input) =>
        nn.functional.linear(nn.functional.linear(input, GetTensor(DownName)!), GetTensor(UpName)!);

    /// <inheritdoc />
    protected override Tensor BaseWeight() => GetTensor(UpName)!.to_type(ScalarType.Float32).mm(GetTensor(DownName)!.to_type(ScalarType.Float32));

    /// <inheritdoc />
    protected override CompressedLinearLayout DescribeBase() => new()
    {
        Kind = CompressedLinearLayout.LowRankKind,
        InFeatures = InFeatures,
        OutFeatures = OutFeatures,
        Rank = Rank,
    };

    private static (long InFeatures, long Rank) Check(Tensor down, Tensor up)
    {
        ArgumentNullException.ThrowIfNull(down);
        ArgumentNullException.ThrowIfNull(up);
        if (down.dim() != 2 || up.dim() != 2 || up.shape[1] != down.shape[0] || down.shape[0] < 1)
        {
            throw new ArgumentException($"Low-rank factors must be down [rank, in] and up [out, rank], not [{string.Join(", ", down.shape)}] and [{string.Join(", ", up.shape)}].");
        }
        return (down.shape[1], down.shape[0]);
    }
}
