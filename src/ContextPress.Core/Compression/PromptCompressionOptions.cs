namespace ContextPress.Compression;

/// <summary>Settings for one <see cref="PromptCompressor"/> call.</summary>
public sealed record PromptCompressionOptions
{
    /// <summary>Gets the default options: keep half of the tokens.</summary>
    public static PromptCompressionOptions Default { get; } = new();

    /// <summary>Gets the fraction of tokens to keep, in (0, 1]; ignored when <see cref="TargetTokens"/> is set. Default 0.5.</summary>
    public double Rate { get; init; } = 0.5;

    /// <summary>Gets the token budget of the result; overrides <see cref="Rate"/> when set.</summary>
    public int? TargetTokens { get; init; }

    /// <summary>Gets strings that are always kept (for example <c>"?"</c>, <c>"Question:"</c>, <c>"\n"</c>).</summary>
    public IReadOnlyList<string> ForceTokens { get; init; } = [];

    /// <summary>
    /// Gets a value indicating whether words containing digits are always kept. Null (the default) means the mode's
    /// default: true in <see cref="PromptCompressionMode.Default"/>, false in <see cref="PromptCompressionMode.Reference"/>
    /// (the reference's <c>force_reserve_digit=False</c>).
    /// </summary>
    public bool? ForceReserveDigit { get; init; }

    /// <summary>Gets a value indicating whether a force token repeated with nothing kept in between is kept once.</summary>
    public bool DropConsecutive { get; init; }

    /// <summary>Gets the selection algorithm. Default <see cref="PromptCompressionMode.Default"/>.</summary>
    public PromptCompressionMode Mode { get; init; } = PromptCompressionMode.Default;

    /// <summary>Gets an optional question or task; query-aware scorers keep what it needs (the default scorer boosts its words).</summary>
    public string? Question { get; init; }

    /// <summary>Gets a value indicating whether the result lists every word and whether it was kept. Default true.</summary>
    public bool IncludeWordLabels { get; init; } = true;

    /// <summary>Throws <see cref="ArgumentException"/> when a setting is out of range.</summary>
    public void Validate()
    {
        if (TargetTokens is null && (double.IsNaN(Rate) || Rate <= 0 || Rate > 1))
        {
            throw new ArgumentOutOfRangeException(nameof(Rate), Rate, "Rate is the fraction of tokens to keep and must be in (0, 1].");
        }

        if (TargetTokens is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(TargetTokens), TargetTokens, "The token budget cannot be negative.");
        }

        ArgumentNullException.ThrowIfNull(ForceTokens);
        foreach (string token in ForceTokens)
        {
            if (string.IsNullOrEmpty(token))
            {
                throw new ArgumentException("Force tokens cannot be null or empty.", nameof(ForceTokens));
            }
        }
    }
}
