namespace ContextPress.Text;

/// <summary>The steps word splitters share: closing a word span, a span's traits, the longest force token at a position.</summary>
internal static class WordSpanBuilding
{
    /// <summary>Adds the open word (if any) ending at <paramref name="end"/> and closes it.</summary>
    public static void Flush(List<WordSpan> words, ref int wordStart, int coreStart, int end, WordTraits traits)
    {
        if (wordStart >= 0)
        {
            words.Add(new WordSpan(wordStart, coreStart, end, traits == WordTraits.None ? WordTraits.Punctuation : traits));
        }

        wordStart = -1;
    }

    /// <summary>Gets whether a span has digits and letters.</summary>
    public static WordTraits TraitsOf(ReadOnlySpan<char> s)
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

    /// <summary>Gets the length of the longest force token starting at <paramref name="i"/>, or 0.</summary>
    public static int MatchForceToken(ReadOnlySpan<char> text, int i, IReadOnlyList<string> forceTokens)
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
