using static TorchSharp.torch;

namespace ContextPress.Predictor.Compression;

/// <summary>
/// Low-rank factorization as an <see cref="ILinearCompressor"/>: plain SVD, ASVD or SVD-LLM, with ranks allocated per
/// layer to a global parameter budget (<see cref="LowRankBudget.AllocateRanks"/>) on each method's own spectrum. A layer
/// the allocation finds cheaper dense stays dense.
/// </summary>
public sealed class LowRankCompressor : ILinearCompressor
{
    private readonly Dictionary<string, int?> _ranks = new(StringComparer.Ordinal);

    /// <summary>Creates the compressor.</summary>
    /// <param name="method"><c>svd</c>, <c>asvd</c> or <c>svd-llm</c>.</param>
    /// <param name="removedFraction">Fraction of the compressed projections' parameters removed, in (0, 1) (SVD-LLM's "ratio").</param>
    /// <param name="asvdAlpha">ASVD's exponent of the mean |x| scaling.</param>
    public LowRankCompressor(string method, double removedFraction, double asvdAlpha = 0.5)
    {
        if (method is not ("svd" or "asvd" or "svd-llm"))
        {
            throw new ArgumentException($"Low-rank method must be svd, asvd or svd-llm, not '{method}'.", nameof(method));
        }
        if (!(removedFraction > 0 && removedFraction < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(removedFraction), removedFraction, "The removed fraction must be in (0, 1).");
        }
        Method = method;
        RemovedFraction = removedFraction;
        AsvdAlpha = asvdAlpha;
    }

    /// <inheritdoc />
    public string Method { get; }

    /// <summary>Fraction of parameters removed.</summary>
    public double RemovedFraction { get; }

    /// <summary>ASVD's exponent.</summary>
    public double AsvdAlpha { get; }

    /// <summary>The rank allocated to each layer (null: kept dense), after <see cref="Prepare"/>.</summary>
    public IReadOnlyDictionary<string, int?> Ranks => _ranks;

    /// <inheritdoc />
    public void Prepare(LinearCompressionPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var spectra = new List<LowRankLayerSpectrum>(plan.Names.Count);
        foreach (var name in plan.Names)
        {
            using var scope = NewDisposeScope();
            var weight = plan.GetWeight(name);
            var statistics = plan.Statistics.For(name);
            spectra.Add(Method switch
            {
                "svd" => LowRankLayerSpectrum.FromWeight(name, weight),
                "asvd" => LowRankLayerSpectrum.FromWeight(name, weight * AsvdScale(statistics).to(weight.device).unsqueeze(0)),
                _ => LowRankLayerSpectrum.Whitened(name, weight, statistics.Gram),
            });
        }
        _ranks.Clear();
        foreach (var allocation in LowRankBudget.AllocateRanks(spectra, 1 - RemovedFraction))
        {
            _ranks[allocation.Name] = allocation.Rank;
        }
    }

    /// <inheritdoc />
    public CompressedLinear? Compress(LinearCompressionInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!_ranks.TryGetValue(input.Name, out var rank))
        {
            throw new InvalidOperationException($"No rank was allocated to '{input.Name}'; Prepare must see every layer first.");
        }
        if (rank is not { } k)
        {
            return null;
        }
        using var scope = NewDisposeScope();
        using var factors = Method switch
        {
            "svd" => LowRankFactorization.Svd(input.Weight, k),
            "asvd" => LowRankFactorization.Asvd(input.Weight, input.Statistics.MeanAbsolute(), k, AsvdAlpha),
            _ => LowRankFactorization.SvdLlm(input.Weight, input.Statistics.Gram, k),
        };
        return new LowRankLinear(factors.Down.to_type(input.ComputeType), factors.Up.to_type(input.ComputeType));
    }

    /// <summary>ASVD's per-channel scale (mean |x|)^α, floored as <see cref="LowRankFactorization.Asvd"/> floors it.</summary>
    private Tensor AsvdScale(LinearInputStatistics statistics)
    {
        var mean = statistics.MeanAbsolute().to_type(ScalarType.Float32);
        var scale = mean.pow(AsvdAlpha);
        return scale.clamp_min(scale.max().item<float>() * LowRankFactorization.AsvdScaleFloor);
    }
}
