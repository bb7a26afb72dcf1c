namespace ContextPress.Segments;

/// <summary>One segment of a <see cref="SegmentedDocument"/>.</summary>
public sealed class TextSegment
{
    /// <summary>Gets the position of the segment in its document, from 0.</summary>
    public required int Index { get; init; }

    /// <summary>Gets what the segment holds.</summary>
    public required SegmentKind Kind { get; init; }

    /// <summary>Gets the text that is compressed (and hashed for the cache key).</summary>
    public required string Text { get; init; }

    /// <summary>Gets text written verbatim before the segment's output (a JSON property's <c>"name":</c>); usually empty.</summary>
    public string Prefix { get; init; } = string.Empty;

    /// <summary>Gets the text that followed the segment in the document (whitespace, or a comma in JSON); empty after the last.</summary>
    public string Separator { get; init; } = string.Empty;

    /// <summary>Gets the token count of <see cref="Text"/>.</summary>
    public required int Tokens { get; init; }
}
