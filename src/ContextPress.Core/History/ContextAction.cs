namespace ContextPress.History;

/// <summary>What <see cref="ContextCompressor"/> did to one item.</summary>
public enum ContextAction
{
    /// <summary>Kept as it was.</summary>
    Keep,

    /// <summary>Compressed: prose by the prompt compressor, JSON structurally.</summary>
    Compress,

    /// <summary>Replaced by a short note that carries its function-critical values and says what was removed.</summary>
    Stub,

    /// <summary>Removed, always together with the rest of its tool call/result group.</summary>
    Drop,
}
