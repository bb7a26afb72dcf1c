namespace ContextPress.Compression;

/// <summary>Time spent in each stage of one compression.</summary>
/// <param name="Tokenize">Splitting into words and counting tokens.</param>
/// <param name="Score">Scoring the words.</param>
/// <param name="Select">Choosing words, rebuilding the text and counting the result.</param>
public sealed record PromptCompressionTimings(TimeSpan Tokenize, TimeSpan Score, TimeSpan Select)
{
    /// <summary>Gets the total time.</summary>
    public TimeSpan Total => Tokenize + Score + Select;
}
