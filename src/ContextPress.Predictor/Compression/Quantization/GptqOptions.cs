namespace ContextPress.Predictor.Compression;

/// <summary>Options of <see cref="Gptq"/>.</summary>
public sealed class GptqOptions
{
    /// <summary>Damping added to H's diagonal, as a fraction of its mean diagonal. Default 0.01 (GPTQ's percdamp).</summary>
    public double PercentDamp { get; init; } = 0.01;

    /// <summary>Columns per lazy batch update. Default 128. Rounded to a multiple of the group size when grouped.</summary>
    public int BlockSize { get; init; } = 128;

    /// <summary>
    /// Quantize columns in order of descending diag H (GPTQ's act-order). With groups, the group grids are computed
    /// once from the weight in natural order (GPTQ's static groups), so groups stay contiguous in storage.
    /// </summary>
    public bool ActOrder { get; init; }

    internal void Validate()
    {
        if (!double.IsFinite(PercentDamp) || PercentDamp < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(PercentDamp), PercentDamp, "GptqOptions.PercentDamp must be a finite value ≥ 0.");
        }
        if (BlockSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(BlockSize), BlockSize, "GptqOptions.BlockSize must be at least 1.");
        }
    }
}
