namespace ContextPress.Tokens;

/// <summary>Counts tokens the way the target model's tokenizer does. Implementations are thread-safe.</summary>
public interface ITokenCounter
{
    /// <summary>Gets the name of the encoding counted in (for example <c>o200k_base</c>).</summary>
    string EncodingName { get; }

    /// <summary>Counts the tokens of <paramref name="text"/>.</summary>
    /// <param name="text">The text to count.</param>
    /// <returns>The exact token count.</returns>
    int CountTokens(ReadOnlySpan<char> text);
}
