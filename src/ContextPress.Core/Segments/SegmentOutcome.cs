namespace ContextPress.Segments;

/// <summary>One segment of a <see cref="SegmentCompressionResult"/>: its original and its output.</summary>
public sealed class SegmentOutcome
{
    /// <summary>Gets the segment as cut from the document.</summary>
    public required TextSegment Segment { get; init; }

    /// <summary>Gets the output text of the segment.</summary>
    public required string Text { get; init; }

    /// <summary>Gets the token count of <see cref="Text"/>.</summary>
    public required int Tokens { get; init; }

    /// <summary>Gets where the output came from.</summary>
    public required SegmentSource Source { get; init; }
}
