namespace ContextPress.Segments;

/// <summary>The segments kept for a question by <see cref="SegmentSelector"/>.</summary>
public sealed class SegmentSelectionResult
{
    /// <summary>Gets the kept segments' outputs, joined in document order (a JSON array gets an omission marker).</summary>
    public required string Text { get; init; }

    /// <summary>Gets the indices of the kept segments, ascending.</summary>
    public required IReadOnlyList<int> SelectedIndices { get; init; }

    /// <summary>Gets every segment's relevance score (BM25 over the question's terms), by index.</summary>
    public required IReadOnlyList<double> Scores { get; init; }

    /// <summary>Gets the sum of the kept segments' output tokens; never more than the budget.</summary>
    public required int Tokens { get; init; }

    /// <summary>Gets the full, query-agnostic compression the selection was made from.</summary>
    public required SegmentCompressionResult Compression { get; init; }
}
