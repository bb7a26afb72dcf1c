namespace ContextPress.Observations;

/// <summary>The outcome of compressing one tool result.</summary>
public sealed class ObservationCompressionResult
{
    /// <summary>Gets the text to hand to the model: the compressed result, or the original when it was not compressed.</summary>
    public required string Text { get; init; }

    /// <summary>Gets the tokens of the original result.</summary>
    public required int TokensBefore { get; init; }

    /// <summary>Gets the tokens of <see cref="Text"/>.</summary>
    public required int TokensAfter { get; init; }

    /// <summary>Gets a value indicating whether <see cref="Text"/> differs from the original.</summary>
    public required bool Compressed { get; init; }

    /// <summary>Gets a value indicating whether the result was compressed as JSON (structure kept) rather than as prose.</summary>
    public required bool IsJson { get; init; }

    /// <summary>Gets how many segments of a prose result came from the segment cache (0 without one).</summary>
    public int SegmentCacheHits { get; init; }

    /// <summary>Gets how many segments of a prose result were compressed and written to the segment cache (0 without one).</summary>
    public int SegmentCacheMisses { get; init; }
}
