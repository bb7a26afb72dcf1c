namespace ContextPress.Predictor.Compression;

/// <summary>Options of <see cref="SparseGpt"/>.</summary>
public sealed class SparseGptOptions
{
    /// <summary>Damping added to H's diagonal, as a fraction of its mean diagonal. Default 0.01.</summary>
    public double PercentDamp { get; init; } = 0.01;

    /// <summary>
    /// Columns per block: the unstructured mask is chosen per block (after the earlier blocks' updates), and the lazy
    /// batch update spans it. Default 128. Rounded down to a multiple of M for N:M patterns.
    /// </summary>
    public int BlockSize { get; init; } = 128;

    internal void Validate()
    {
        if (!double.IsFinite(PercentDamp) || PercentDamp < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(PercentDamp), PercentDamp, "SparseGptOptions.PercentDamp must be a finite value ≥ 0.");
        }
        if (BlockSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(BlockSize), BlockSize, "SparseGptOptions.BlockSize must be at least 1.");
        }
    }
}
