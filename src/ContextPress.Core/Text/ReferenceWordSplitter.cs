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
            int forceLength = MatchForceToken(text, i, forceTokens);
            if (forceLength > 0)
            {
                Flush(words, ref wordStart, coreStart, i, traits);
                words.Add(new WordSpan(whitespaceStart, i, i + forceLength, WordTraits.Forced | TraitsOf(text.Slice(i, forceLength))));
                i += forceLength;
                whitespaceStart = i;
                continue;
            }

            char c = text[i];
            if (char.IsWhiteSpace(c))
            {
                Flush(words, ref wordStart, coreStart, i, traits);
                i++;
                continue;
            }

            if (wordStart < 0 || CharClass.IsAsciiPunctuation(c))
            {
                Flush(words, ref wordStart, coreStart, i, traits);
                wordStart = whitespaceStart;
                coreStart = i;
                traits = WordTraits.None;
            }

            traits |= TraitsOf(text.Slice(i, 1));
            i++;
            whitespaceStart = i;
        }

        Flush(words, ref wordStart, coreStart, text.Length, traits);
    }

    private static void Flush(List<WordSpan> words, ref int wordStart, int coreStart, int end, WordTraits traits)
    {
        if (wordStart >= 0)
        {
            words.Add(new WordSpan(wordStart, coreStart, end, traits == WordTraits.None ? WordTraits.Punctuation : traits));
        }

        wordStart = -1;
    }

    private static WordTraits TraitsOf(ReadOnlySpan<char> s)
    {
        WordTraits traits = WordTraits.None;
        foreach (char c in s)
        {
            if (char.IsDigit(c))
            {
                traits |= WordTraits.Digit;
            }
            else if (char.IsLetter(c))
            {
                traits |= WordTraits.Letter;
            }
        }

        return traits;
    }

    private static int MatchForceToken(ReadOnlySpan<char> text, int i, IReadOnlyList<string> forceTokens)
    {
        int best = 0;
        for (int t = 0; t < forceTokens.Count; t++)
        {
            string token = forceTokens[t];
            if (token.Length > best && text[i..].StartsWith(token, StringComparison.Ordinal))
            {
                best = token.Length;
            }
        }

        return best;
    }
}
