namespace ContextPress.Segments;

/// <summary>How <see cref="SegmentCompressor"/> cuts a document into independently compressed (and cached) segments.</summary>
public enum SegmentationMode
{
    /// <summary>JSON objects and arrays by <see cref="JsonElement"/>, any other text by <see cref="Paragraph"/>.</summary>
    Auto,

    /// <summary>
    /// One segment per paragraph (text between blank lines). A paragraph over the token limit is cut at sentence ends
    /// into runs of sentences within the limit, and a sentence over the limit into token windows.
    /// </summary>
    Paragraph,

    /// <summary>One segment per sentence (or line); a sentence over the token limit is cut into token windows.</summary>
    Sentence,

    /// <summary>
    /// One segment per element of a top-level JSON array, or per property of a top-level JSON object. Elements are
    /// minified, so the same data formatted differently shares cache entries; the output is minified, valid JSON.
    /// </summary>
    JsonElement,

    /// <summary>Consecutive windows of at most the token limit, cut between words.</summary>
    TokenWindow,
}
