namespace ContextPress.Text;

/// <summary>
/// Splits text into identifier-safe words: each word is the whitespace before it plus one core, where a core is
/// an alphanumeric term (joined through <c>. : - @ / _</c> and the like, so <c>UM3OG5</c>, <c>call_4f2</c>,
/// <c>ann.lee@example.com</c>, <c>2024-01-05</c>, <c>$1,234.50</c>, <c>12%</c> stay whole), a URL,
/// a single CJK character, or a run of punctuation and symbols.
/// </summary>
/// <remarks>
/// Compression keeps or drops whole words, so a word must never be something whose half is meaningless:
/// token-level deletion that keeps <c>UM3</c> of <c>UM3OG5</c> is the failure agents suffer from most.
/// Offsets index the original text, and the text is rebuilt from them, so spacing survives as it was.
/// </remarks>
public static class WordSplitter
{
    /// <summary>Splits <paramref name="text"/> into words, appended to <paramref name="words"/>.</summary>
    /// <param name="text">The text.</param>
    /// <param name="words">Receives the words; trailing whitespace after the last word belongs to no word.</param>
    public static void Split(ReadOnlySpan<char> text, List<WordSpan> words)
    {
        ArgumentNullException.ThrowIfNull(words);

        int i = 0;
        bool sentenceStart = true;
        while (i < text.Length)
        {
            int start = i;
            bool lineStart = i == 0;
            while (i < text.Length && char.IsWhiteSpace(text[i]))
            {
                lineStart |= CharClass.IsLineBreak(text[i]);
                i++;
            }

            if (i >= text.Length)
            {
                break;
            }

            int core = i;
            WordTraits traits = ScanCore(text, ref i);
            if (lineStart)
            {
                traits |= WordTraits.LineStart;
            }

            if (sentenceStart)
            {
                traits |= WordTraits.SentenceStart;
            }

            char last = text[i - 1];
            sentenceStart = (traits & WordTraits.Punctuation) != 0 ? last is '.' or '!' or '?' or ':' or '\u3002' || sentenceStart : false;
            words.Add(new WordSpan(start, core, i, traits));
        }
    }

    private static WordTraits ScanCore(ReadOnlySpan<char> text, ref int i)
    {
        char c = text[i];
        if (CharClass.IsCjk(c))
        {
            i++;
            return WordTraits.Cjk | WordTraits.Letter;
        }

        int urlEnd = UrlEnd(text, i);
        if (urlEnd > i)
        {
            i = urlEnd;
            return WordTraits.Url | WordTraits.Joined | WordTraits.Letter;
        }

        bool prefixed = CharClass.IsPrefix(c) && i + 1 < text.Length && CharClass.IsTermChar(text[i + 1]);
        bool signed = c == '-' && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1]);
        if (CharClass.IsTermChar(c) || prefixed || signed)
        {
            return ScanTerm(text, ref i);
        }

        // A run of punctuation and symbols; surrogate pairs (emoji) stay together because the run only stops at
        // whitespace, term characters and CJK, none of which is a surrogate.
        i++;
        while (i < text.Length && !char.IsWhiteSpace(text[i]) && !CharClass.IsTermChar(text[i]) && !CharClass.IsCjk(text[i]) && !StartsTerm(text, i))
        {
            i++;
        }

        return WordTraits.Punctuation;
    }

    private static bool StartsTerm(ReadOnlySpan<char> text, int i) =>
        (CharClass.IsPrefix(text[i]) || text[i] == '-') && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1])
        && (i == 0 || !CharClass.IsTermChar(text[i - 1]));

    private static WordTraits ScanTerm(ReadOnlySpan<char> text, ref int i)
    {
        WordTraits traits = WordTraits.None;
        int start = i;
        if (!CharClass.IsTermChar(text[i]))
        {
            traits |= WordTraits.Joined;
            i++;
        }

        while (i < text.Length)
        {
            char c = text[i];
            if (CharClass.IsTermChar(c))
            {
                if (char.IsDigit(c) || char.IsNumber(c))
                {
                    traits |= WordTraits.Digit;
                }
                else if (char.IsLetter(c))
                {
                    traits |= WordTraits.Letter;
                    if (char.IsUpper(c))
                    {
                        traits |= i == start ? WordTraits.Capitalized : WordTraits.InnerUpper;
                    }
                }
                else if (c == '_')
                {
                    traits |= WordTraits.Joined;
                }

                i++;
                continue;
            }

            bool next = i + 1 < text.Length && CharClass.IsTermChar(text[i + 1]);
            if (next && (CharClass.IsJoiner(c) || (c == ',' && char.IsAsciiDigit(text[i - 1]) && char.IsAsciiDigit(text[i + 1]))))
            {
                traits |= WordTraits.Joined;
                i++;
                continue;
            }

            if (c == '%' && char.IsAsciiDigit(text[i - 1]))
            {
                i++;
            }

            break;
        }

        return traits;
    }

    /// <summary>Returns the end of a URL starting at <paramref name="i"/>, or <paramref name="i"/> when none starts there.</summary>
    private static int UrlEnd(ReadOnlySpan<char> text, int i)
    {
        ReadOnlySpan<char> rest = text[i..];
        int schemeLength = rest.StartsWith("https://", StringComparison.OrdinalIgnoreCase) ? 8
            : rest.StartsWith("http://", StringComparison.OrdinalIgnoreCase) ? 7
            : rest.StartsWith("www.", StringComparison.OrdinalIgnoreCase) ? 4
            : 0;
        if (schemeLength == 0 || rest.Length == schemeLength || char.IsWhiteSpace(rest[schemeLength]))
        {
            return i;
        }

        int end = schemeLength;
        while (end < rest.Length && !char.IsWhiteSpace(rest[end]) && rest[end] is not ('"' or '<' or '>' or '`' or '(' or ')' or '[' or ']' or '{' or '}'))
        {
            end++;
        }

        // Sentence punctuation right after a URL is not part of it.
        while (end > schemeLength && rest[end - 1] is '.' or ',' or ';' or ':' or '!' or '?' or '\'')
        {
            end--;
        }

        return i + end;
    }
}
