namespace ContextPress.Segments;

/// <summary>A key and the compressed segment to store under it.</summary>
/// <param name="Key">The key.</param>
/// <param name="Value">The compressed segment.</param>
public readonly record struct SegmentCacheEntry(SegmentCacheKey Key, CachedSegment Value);
