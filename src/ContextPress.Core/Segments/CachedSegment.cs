namespace ContextPress.Segments;

/// <summary>A compressed segment as stored in an <see cref="ISegmentCache"/>.</summary>
/// <param name="Text">The compressed text.</param>
/// <param name="Tokens">Its token count, in the compressor's encoding.</param>
public sealed record CachedSegment(string Text, int Tokens);
