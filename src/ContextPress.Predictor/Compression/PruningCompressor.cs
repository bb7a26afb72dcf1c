using static TorchSharp.torch;

namespace ContextPress.Predictor.Compression;

/// <summary>Pruning as an <see cref="ILinearCompressor"/>: magnitude, Wanda or SparseGPT, unstructured or N:M.</summary>
public sealed class PruningCompressor : ILinearCompressor
{
    private readonly SparseGptOptions? _options;

    private PruningCompressor(string method, SparsityPattern pattern, SparseGptOptions? options)
    {
        Method = method;
        Pattern = pattern ?? throw new ArgumentNullException(nameof(pattern));
        _options = options;
    }

    /// <summary>Smallest |W| zeroed (per row for unstructured, per group of M for N:M).</summary>
    public static PruningCompressor Magnitude(SparsityPattern pattern) => new("magnitude", pattern, null);

    /// <summary>Smallest |W_ij|·‖X_j‖ zeroed per row (no weight update).</summary>
    public static PruningCompressor Wanda(SparsityPattern pattern) => new("wanda", pattern, null);

    /// <summary>SparseGPT's OBS mask selection and weight update with the calibration Gram matrix.</summary>
    public static PruningCompressor SparseGpt(SparsityPattern pattern, SparseGptOptions? options = null) => new("sparsegpt", pattern, options);

    /// <summary>The sparsity pattern.</summary>
    public SparsityPattern Pattern { get; }

    /// <inheritdoc />
    public string Method { get; }

    /// <inheritdoc />
    public CompressedLinear? Compress(LinearCompressionInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var scope = NewDisposeScope();
        var pruned = Method switch
        {
            "magnitude" => MagnitudePruning.Prune(input.Weight, Pattern),
            "wanda" => Compression.Wanda.Prune(input.Weight, input.Statistics.SquaredNorm(), Pattern),
            _ => Compression.SparseGpt.Prune(input.Weight, input.Statistics.Gram, Pattern, _options),
        };
        var pattern = Pattern is NofMSparsity nm ? $"{nm.N}:{nm.M}" : null;
        return new SparseLinear(pruned.to_type(input.ComputeType), pattern: pattern);
    }
}
