using System.Globalization;

namespace ContextPress.Text;

/// <summary>Character classes shared by the word splitters and scorers.</summary>
internal static class CharClass
{
    /// <summary>True for characters of scripts written without spaces (CJK ideographs, kana), where each character is a word.</summary>
    public static bool IsCjk(char c) =>
        c is (>= '\u3040' and <= '\u30FF') or (>= '\u3400' and <= '\u4DBF') or (>= '\u4E00' and <= '\u9FFF')
            or (>= '\uF900' and <= '\uFAFF') or (>= '\uFF66' and <= '\uFF9F');

    /// <summary>True for letters, digits, marks and underscore outside the space-less scripts.</summary>
    public static bool IsTermChar(char c)
    {
        if (c <= 0x7F)
        {
            return char.IsAsciiLetterOrDigit(c) || c == '_';
        }

        if (IsCjk(c) || char.IsSurrogate(c))
        {
            return false;
        }

        UnicodeCategory category = CharUnicodeInfo.GetUnicodeCategory(c);
        return category is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
            or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter or UnicodeCategory.DecimalDigitNumber
            or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber or UnicodeCategory.NonSpacingMark
            or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark or UnicodeCategory.ConnectorPunctuation;
    }

    /// <summary>True for characters that join two alphanumeric runs into one word (<c>a.b@c.io</c>, <c>12:30</c>, <c>2024-01-05</c>).</summary>
    public static bool IsJoiner(char c) =>
        c is '.' or ':' or '-' or '@' or '/' or '\'' or '\u2019' or '+' or '&' or '#' or '~' or '\\' or '=';

    /// <summary>True for characters that may start a word when an alphanumeric follows (<c>$12.50</c>, <c>#42</c>, <c>@user</c>).</summary>
    public static bool IsPrefix(char c) =>
        c is '$' or '\u20AC' or '\u00A3' or '\u00A5' or '#' or '@' or '~';

    /// <summary>True for Python's <c>string.punctuation</c> (the reference's new-word test).</summary>
    public static bool IsAsciiPunctuation(char c) =>
        c is (>= '!' and <= '/') or (>= ':' and <= '@') or (>= '[' and <= '`') or (>= '{' and <= '~');

    /// <summary>True for line-break characters.</summary>
    public static bool IsLineBreak(char c) => c is '\n' or '\r' or '\u2028' or '\u2029' or '\u0085';
}
