namespace ContextPress.Text;

/// <summary>
/// The LLMLingua-2 word rule for XLM-R tokenizers applied to raw text: a word starts after whitespace
/// (SentencePiece's <c>▁</c>), at each ASCII punctuation character, and at each force-token occurrence;
/// other characters continue the current word.
/// </summary>
/// <remarks>
/// The reference decides words on the model tokenizer's pieces, so this is exact only where SentencePiece
/// splits at the same places; a model scorer supplies its own <see cref="IWordSegmenter"/> for parity.
/// Force tokens that are whitespace (<c>"\n"</c>) become words; other whitespace is folded, as XLM-R's
/// normalizer does.
/// </remarks>
public sealed class ReferenceWordSplitter : IWordSegmenter
{
    /// <summary>Gets the shared instance.</summary>
    public static ReferenceWordSplitter Instance { get; } = new();

    /// <inheritdoc />
    public void Split(ReadOnlySpan<char> text, IReadOnlyList<string> forceTokens, List<WordSpan> words)
    {
        ArgumentNullException.ThrowIfNull(forceTokens);
        ArgumentNullException.ThrowIfNull(words);

        int wordStart = -1;
        int coreStart = 0;
        int whitespaceStart = 0; // after the last consumed non-whitespace character
        WordTraits traits = WordTraits.None;
        int i = 0;
        while (i < text.Length)
        {
            int forceLength = WordSpanBuilding.MatchForceToken(text, i, forceTokens);
            if (forceLength > 0)
            {
                WordSpanBuilding.Flush(words, ref wordStart, coreStart, i, traits);
                words.Add(new WordSpan(whitespaceStart, i, i + forceLength, WordTraits.Forced | WordSpanBuilding.TraitsOf(text.Slice(i, forceLength))));
                i += forceLength;
                whitespaceStart = i;
                continue;
            }

            char c = text[i];
            if (char.IsWhiteSpace(c))
            {
                WordSpanBuilding.Flush(words, ref wordStart, coreStart, i, traits);
                i++;
                continue;
            }

            if (wordStart < 0 || CharClass.IsAsciiPunctuation(c))
            {
                WordSpanBuilding.Flush(words, ref wordStart, coreStart, i, traits);
                wordStart = whitespaceStart;
                coreStart = i;
                traits = WordTraits.None;
            }

            traits |= WordSpanBuilding.TraitsOf(text.Slice(i, 1));
            i++;
            whitespaceStart = i;
        }

        WordSpanBuilding.Flush(words, ref wordStart, coreStart, text.Length, traits);
    }
}
