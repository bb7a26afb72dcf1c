namespace ContextPress.Text;

/// <summary>A word of a text: the whitespace before it, then its core, both as offsets into the text.</summary>
/// <param name="Start">Offset of the word including its leading whitespace.</param>
/// <param name="CoreStart">Offset of the first non-whitespace character.</param>
/// <param name="End">Offset after the last character of the core.</param>
/// <param name="Traits">What the word looks like.</param>
public readonly record struct WordSpan(int Start, int CoreStart, int End, WordTraits Traits)
{
    /// <summary>Gets the length including leading whitespace.</summary>
    public int Length => End - Start;

    /// <summary>Gets the length of the core.</summary>
    public int CoreLength => End - CoreStart;

    /// <summary>Returns the word with its leading whitespace.</summary>
    /// <param name="text">The text the span indexes.</param>
    /// <returns>The characters of the word.</returns>
    public ReadOnlySpan<char> Slice(ReadOnlySpan<char> text) => text[Start..End];

    /// <summary>Returns the word without its leading whitespace.</summary>
    /// <param name="text">The text the span indexes.</param>
    /// <returns>The characters of the core.</returns>
    public ReadOnlySpan<char> Core(ReadOnlySpan<char> text) => text[CoreStart..End];

    /// <summary>Returns a copy with <paramref name="traits"/> added.</summary>
    /// <param name="traits">Traits to add.</param>
    /// <returns>The new span.</returns>
    public WordSpan With(WordTraits traits) => this with { Traits = Traits | traits };
}
