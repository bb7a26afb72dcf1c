namespace ContextPress.Segments;

/// <summary>How the segments of a document are joined back together.</summary>
public enum SegmentLayout
{
    /// <summary>Text: segments joined by the whitespace that separated them.</summary>
    Text,

    /// <summary>A JSON array: <c>[</c>, elements joined by commas, <c>]</c>.</summary>
    JsonArray,

    /// <summary>A JSON object: <c>{</c>, <c>"name":value</c> properties joined by commas, <c>}</c>.</summary>
    JsonObject,
}
