using ContextPress.Predictor.Compression;

namespace ContextPress.Cli;

/// <summary>What a compression method needs from the command line.</summary>
internal enum ModelCompressionFamily
{
    /// <summary>Takes --bits and --group-size.</summary>
    Quantization,

    /// <summary>Takes --sparsity or --pattern.</summary>
    Pruning,

    /// <summary>Takes --ratio (fraction of parameters removed).</summary>
    LowRank,
}

/// <summary>The settings of <c>model compress</c> after parsing; each method reads the ones of its family.</summary>
/// <param name="Bits">Bits per weight (quantization).</param>
/// <param name="GroupSize">Input channels per scale group (quantization).</param>
/// <param name="Sparsity">Fraction of weights removed, unstructured (pruning), or null with <paramref name="PatternN"/>.</param>
/// <param name="PatternN">N of an N:M pattern (N zeros in every M consecutive inputs), or null.</param>
/// <param name="PatternM">M of an N:M pattern, or null.</param>
/// <param name="Ratio">Fraction of the projections' parameters removed (low rank).</param>
internal sealed record ModelCompressionSettings(int Bits, int GroupSize, double? Sparsity, int? PatternN, int? PatternM, double Ratio);

/// <summary>A method <c>model compress --method</c> accepts.</summary>
/// <param name="Name">The option value.</param>
/// <param name="Family">Which options it takes.</param>
/// <param name="Description">One line for the help.</param>
/// <param name="Create">Builds the compressor from the settings.</param>
internal sealed record ModelCompressionMethod(string Name, ModelCompressionFamily Family, string Description, Func<ModelCompressionSettings, ILinearCompressor> Create);

/// <summary>
/// The methods this build offers. Each is a small adapter from an algorithm (Compression/Quantization, Pruning,
/// LowRank) to <see cref="ILinearCompressor"/>; a method is listed only once its algorithm is in the build.
/// </summary>
internal static class ModelCompressionMethods
{
    /// <summary>Every method, in help order.</summary>
    public static IReadOnlyList<ModelCompressionMethod> All { get; } =
    [
        new("rtn", ModelCompressionFamily.Quantization, "round-to-nearest, group-wise min-max", s => QuantizationCompressor.RoundToNearest(s.Bits, s.GroupSize)),
        new("gptq", ModelCompressionFamily.Quantization, "GPTQ with the calibration Hessian", s => QuantizationCompressor.Gptq(s.Bits, s.GroupSize)),
        new("magnitude", ModelCompressionFamily.Pruning, "smallest |W| per row", s => PruningCompressor.Magnitude(Pattern(s))),
        new("wanda", ModelCompressionFamily.Pruning, "smallest |W|·‖X‖ per row", s => PruningCompressor.Wanda(Pattern(s))),
        new("sparsegpt", ModelCompressionFamily.Pruning, "SparseGPT mask and OBS update", s => PruningCompressor.SparseGpt(Pattern(s))),
        new("svd", ModelCompressionFamily.LowRank, "plain truncated SVD", s => new LowRankCompressor("svd", s.Ratio)),
        new("asvd", ModelCompressionFamily.LowRank, "activation-scaled SVD", s => new LowRankCompressor("asvd", s.Ratio)),
        new("svd-llm", ModelCompressionFamily.LowRank, "SVD-LLM whitening", s => new LowRankCompressor("svd-llm", s.Ratio)),
    ];

    /// <summary>Builds the EoRA correction of the given rank, or null while the build has none (then --eora-rank is not offered).</summary>
    public static Func<int, ILinearCorrector>? Correction { get; } = rank => new EoraCorrector(rank);

    /// <summary>The method named <paramref name="name"/>, or null.</summary>
    public static ModelCompressionMethod? Find(string name) => All.FirstOrDefault(m => m.Name == name);

    private static SparsityPattern Pattern(ModelCompressionSettings settings) =>
        settings.PatternN is { } n && settings.PatternM is { } m ? SparsityPattern.NofM(n, m) : SparsityPattern.Unstructured(settings.Sparsity ?? 0.5);

    /// <summary>The method names joined for messages and help.</summary>
    public static string Names => All.Count == 0 ? "none in this build" : string.Join("|", All.Select(m => m.Name));
}
