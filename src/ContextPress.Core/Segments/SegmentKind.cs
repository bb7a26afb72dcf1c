namespace ContextPress.Segments;

/// <summary>What a segment holds, which decides how it is compressed.</summary>
public enum SegmentKind
{
    /// <summary>Prose, compressed by the prompt compressor at the configured rate.</summary>
    Prose,

    /// <summary>A JSON value (a top-level array element or object property value), compressed structurally.</summary>
    Json,
}
