using System.Globalization;

namespace ContextPress.Tokens;

/// <summary>
/// Finds positions where tiktoken's o200k/cl100k pre-tokenizer regexes always end a match, so text
/// can be counted piecewise with the same result as counting it whole.
/// </summary>
/// <remarks>
/// Every alternative of both regexes that can contain a letter is a letter run (optionally with a
/// leading non-letter and, in o200k, trailing marks and an ASCII contraction); every alternative
/// that can contain a digit is <c>\p{N}{1,3}</c>. So a match always ends after a letter that is followed by
/// a character that is not a letter, mark, apostrophe or surrogate, and after a number followed by a
/// non-number. The next match then starts there, whatever follows; lookaheads only occur in
/// whitespace alternatives, which never contain the letter or digit. Tests check the claim on corpora.
/// </remarks>
internal static class TiktokenSplit
{
    /// <summary>Returns the end (exclusive) of the piece starting at <paramref name="start"/>.</summary>
    public static int NextPieceEnd(ReadOnlySpan<char> text, int start)
    {
        for (int i = start + 1; i < text.Length; i++)
        {
            if (IsMatchEnd(text[i - 1], text[i]))
            {
                return i;
            }
        }

        return text.Length;
    }

    /// <summary>True when a tiktoken match always ends between <paramref name="previous"/> and <paramref name="current"/>.</summary>
    public static bool IsMatchEnd(char previous, char current)
    {
        if (char.IsAsciiLetter(previous) || (previous > 0x7F && char.IsLetter(previous)))
        {
            if (char.IsAsciiLetter(current) || current == '\'' || char.IsSurrogate(current))
            {
                return false;
            }

            if (current <= 0x7F)
            {
                return true;
            }

            return !char.IsLetter(current) && !IsMark(current);
        }

        if (char.IsAsciiDigit(previous) || (previous > 0x7F && char.IsNumber(previous)))
        {
            return !(char.IsAsciiDigit(current) || (current > 0x7F && (char.IsNumber(current) || char.IsSurrogate(current))));
        }

        return false;
    }

    private static bool IsMark(char c)
    {
        UnicodeCategory category = CharUnicodeInfo.GetUnicodeCategory(c);
        return category is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark;
    }
}
