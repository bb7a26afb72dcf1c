namespace ContextPress.Segments;

/// <summary>Where a segment's output came from.</summary>
public enum SegmentSource
{
    /// <summary>Read from the <see cref="ISegmentCache"/>.</summary>
    CacheHit,

    /// <summary>Compressed in this call (a cache miss); the result was offered to the cache.</summary>
    Compressed,

    /// <summary>Kept as it is: shorter than <see cref="SegmentCompressionOptions.MinCompressTokens"/>, never looked up.</summary>
    Verbatim,
}
