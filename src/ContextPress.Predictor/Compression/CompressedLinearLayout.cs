using System.Text.Json.Serialization;

namespace ContextPress.Predictor.Compression;

/// <summary>
/// How one compressed block projection is stored: enough to build its module before the checkpoint's tensors are
/// loaded into it. Serialized (snake_case) into the checkpoint's <c>__metadata__</c> and <c>compression.json</c>.
/// </summary>
public sealed record CompressedLinearLayout
{
    /// <summary><see cref="QuantizedKind"/>, <see cref="LowRankKind"/> or <see cref="SparseKind"/>.</summary>
    public required string Kind { get; init; }

    /// <summary>Input width.</summary>
    public required long InFeatures { get; init; }

    /// <summary>Output width.</summary>
    public required long OutFeatures { get; init; }

    /// <summary>Whether the projection has a bias (stored as <c>N.bias</c>).</summary>
    public bool HasBias { get; init; }

    /// <summary>Quantized: bits per weight (1 to 8).</summary>
    public int? Bits { get; init; }

    /// <summary>Quantized: input channels per scale/zero group.</summary>
    public int? GroupSize { get; init; }

    /// <summary>Low rank: the rank of <c>N.low_rank_down</c> [rank, in] and <c>N.low_rank_up</c> [out, rank].</summary>
    public int? Rank { get; init; }

    /// <summary>Rank of the EoRA correction <c>N.eora_down</c> [r, in], <c>N.eora_up</c> [out, r], or null for none.</summary>
    public int? CorrectionRank { get; init; }

    /// <summary>Sparse: the fraction of weights that are zero (informational; the weight is stored dense).</summary>
    public double? Sparsity { get; init; }

    /// <summary>Sparse: the N:M pattern (for example <c>2:4</c>), or null for unstructured.</summary>
    public string? Pattern { get; init; }

    /// <summary>Kind of group-wise quantized weights (<see cref="QuantizedLinear"/>).</summary>
    public const string QuantizedKind = "quantized";

    /// <summary>Kind of factored weights (<see cref="LowRankLinear"/>).</summary>
    public const string LowRankKind = "low_rank";

    /// <summary>Kind of pruned weights stored dense with zeros (<see cref="SparseLinear"/>, or a plain Linear without a correction).</summary>
    public const string SparseKind = "sparse";

    /// <summary>Whether loading needs a module other than a plain Linear.</summary>
    [JsonIgnore]
    public bool NeedsModule => Kind != SparseKind || CorrectionRank is > 0;

    /// <summary>Checks the fields the kind needs.</summary>
    /// <exception cref="InvalidDataException">A field is missing or out of range; the message names <paramref name="name"/>.</exception>
    public CompressedLinearLayout Validate(string name)
    {
        if (InFeatures <= 0 || OutFeatures <= 0)
        {
            throw new InvalidDataException($"Compressed layer '{name}' needs positive in/out features, not {InFeatures}/{OutFeatures}.");
        }
        if (CorrectionRank is < 0)
        {
            throw new InvalidDataException($"Compressed layer '{name}' has a negative correction rank {CorrectionRank}.");
        }
        switch (Kind)
        {
            case QuantizedKind when Bits is not (>= 1 and <= 8) || GroupSize is not > 0:
                throw new InvalidDataException($"Quantized layer '{name}' needs bits in 1..8 and a positive group size (bits {Bits}, group size {GroupSize}).");
            case LowRankKind when Rank is not > 0:
                throw new InvalidDataException($"Low-rank layer '{name}' needs a positive rank, not {Rank}.");
            case QuantizedKind or LowRankKind or SparseKind:
                return this;
            default:
                throw new InvalidDataException($"Compressed layer '{name}' has unknown kind '{Kind}' ({QuantizedKind}, {LowRankKind}, {SparseKind}).");
        }
    }
}
