namespace ContextPress.Text;

/// <summary>
/// Splits text into the words a scorer's reference implementation uses. A model scorer implements it so that
/// <see cref="Compression.PromptCompressionMode.Reference"/> selects over exactly the reference's words.
/// </summary>
public interface IWordSegmenter
{
    /// <summary>Splits <paramref name="text"/> into words, appended to <paramref name="words"/>.</summary>
    /// <param name="text">The text.</param>
    /// <param name="forceTokens">Force tokens; each occurrence becomes a word of its own with <see cref="WordTraits.Forced"/>.</param>
    /// <param name="words">Receives the words in order.</param>
    void Split(ReadOnlySpan<char> text, IReadOnlyList<string> forceTokens, List<WordSpan> words);
}
