using System.Text;
using ContextPress.Text;

namespace ContextPress.Compression;

/// <summary>Rebuilds text from kept words with the original spacing, keeping line structure across dropped words.</summary>
internal static class DefaultTextBuilder
{
    /// <summary>
    /// Joins the kept words, each with whitespace from the original: of the whitespace before it and before the
    /// dropped words since the previous kept word, the one with the most line breaks (its own on a tie), so
    /// dropping a line's last words keeps the line break; and never gluing two alphanumeric words together.
    /// </summary>
    public static string Build(string text, ReadOnlySpan<WordSpan> words, ReadOnlySpan<bool> kept)
    {
        var builder = new StringBuilder(text.Length);
        int bestStart = -1;
        int bestLength = 0;
        int bestBreaks = -1;
        int anyWhitespaceStart = -1;
        int anyWhitespaceLength = 0;
        for (int w = 0; w < words.Length; w++)
        {
            WordSpan word = words[w];
            int breaks = CountLineBreaks(text.AsSpan(word.Start, word.CoreStart - word.Start));
            bool own = kept[w];
            if (breaks > bestBreaks || (own && breaks == bestBreaks))
            {
                bestStart = word.Start;
                bestLength = word.CoreStart - word.Start;
                bestBreaks = breaks;
            }

            if (word.CoreStart > word.Start)
            {
                anyWhitespaceStart = word.Start;
                anyWhitespaceLength = word.CoreStart - word.Start;
            }

            if (!own)
            {
                continue;
            }

            if (bestLength == 0 && anyWhitespaceLength > 0 && builder.Length > 0
                && CharClass.IsTermChar(builder[^1]) && CharClass.IsTermChar(text[word.CoreStart]))
            {
                bestStart = anyWhitespaceStart;
                bestLength = anyWhitespaceLength;
            }

            if (builder.Length == 0)
            {
                // The first kept word takes the text's own leading whitespace, not a dropped word's.
                bestStart = 0;
                bestLength = words[0].CoreStart;
            }

            builder.Append(text, bestStart, bestLength);
            builder.Append(text, word.CoreStart, word.End - word.CoreStart);
            bestBreaks = -1;
            bestLength = 0;
            anyWhitespaceLength = 0;
        }

        if (words.Length > 0 && builder.Length > 0)
        {
            // Trailing whitespace (a final newline) belongs to no word: keep it.
            int tail = words[^1].End;
            builder.Append(text, tail, text.Length - tail);
        }

        return builder.ToString();
    }

    private static int CountLineBreaks(ReadOnlySpan<char> whitespace)
    {
        int count = 0;
        foreach (char c in whitespace)
        {
            if (c == '\n')
            {
                count++;
            }
        }

        return count;
    }
}
