namespace ContextPress.Observations;

/// <summary>When and how hard <see cref="ObservationCompressor"/> compresses one tool result.</summary>
public sealed record ObservationCompressionOptions
{
    /// <summary>Gets the default options: results over 1,000 tokens are compressed to half.</summary>
    public static ObservationCompressionOptions Default { get; } = new();

    /// <summary>Gets the size above which a result is compressed; results of at most this many tokens pass unchanged. Default 1,000.</summary>
    public int ThresholdTokens { get; init; } = 1_000;

    /// <summary>Gets the fraction of a result's tokens to keep. Default 0.5.</summary>
    public double TargetRatio { get; init; } = 0.5;

    /// <summary>
    /// Gets a cap on a compressed result's tokens, applied after <see cref="TargetRatio"/>; null for none. The cap is a
    /// target: JSON keeps its ids, amounts and structure even when that costs more.
    /// </summary>
    public int? MaxTokens { get; init; }

    /// <summary>Throws when a setting is out of range.</summary>
    public void Validate()
    {
        if (ThresholdTokens < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(ThresholdTokens), ThresholdTokens, "The threshold cannot be negative.");
        }

        if (double.IsNaN(TargetRatio) || TargetRatio <= 0 || TargetRatio > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(TargetRatio), TargetRatio, "The target ratio must be in (0, 1].");
        }

        if (MaxTokens is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxTokens), MaxTokens, "The cap must be at least one token.");
        }
    }
}
