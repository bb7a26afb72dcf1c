namespace ContextPress.Segments;

/// <summary>The outcome of <see cref="SegmentCompressor.CompressAsync"/>.</summary>
public sealed class SegmentCompressionResult
{
    /// <summary>Gets the compressed document: the segments' outputs joined as in <see cref="Document"/>.</summary>
    public required string Text { get; init; }

    /// <summary>Gets the segmented input document.</summary>
    public required SegmentedDocument Document { get; init; }

    /// <summary>Gets every segment's outcome, in document order.</summary>
    public required IReadOnlyList<SegmentOutcome> Segments { get; init; }

    /// <summary>Gets the fingerprint of the compressor and settings that keyed the cache.</summary>
    public required string Fingerprint { get; init; }

    /// <summary>Gets the time the call took.</summary>
    public required TimeSpan Elapsed { get; init; }

    /// <summary>Gets the sum of the segments' input token counts.</summary>
    public int OriginalTokens => Segments.Sum(s => s.Segment.Tokens);

    /// <summary>Gets the sum of the segments' output token counts (the joined text may differ by about a token per boundary).</summary>
    public int CompressedTokens => Segments.Sum(s => s.Tokens);

    /// <summary>Gets the number of segments read from the cache.</summary>
    public int CacheHits => Segments.Count(s => s.Source == SegmentSource.CacheHit);

    /// <summary>Gets the number of segments compressed in this call.</summary>
    public int CacheMisses => Segments.Count(s => s.Source == SegmentSource.Compressed);
}
