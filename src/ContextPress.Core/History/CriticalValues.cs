using ContextPress.Text;

namespace ContextPress.History;

/// <summary>
/// Finds the function-critical values of a text: identifiers (<c>UM3OG5</c>, <c>ORD-48213</c>, UUIDs), amounts and
/// other numbers, dates, e-mails, URLs and capitalised names, the values a later tool call may need verbatim.
/// </summary>
public static class CriticalValues
{
    /// <summary>Returns the distinct critical values of <paramref name="text"/> in order of first occurrence.</summary>
    /// <param name="text">The text (prose or JSON).</param>
    /// <returns>The values.</returns>
    public static IReadOnlyList<string> Extract(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var words = new List<WordSpan>(text.Length / 5);
        WordSplitter.Split(text, words);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var values = new List<string>();
        foreach (WordSpan word in words)
        {
            if (!IsCritical(word))
            {
                continue;
            }

            string value = word.Core(text).ToString();
            if (value.Length > 1 && seen.Add(value))
            {
                values.Add(value);
            }
        }

        return values;
    }

    /// <summary>True for words that carry identity or quantity.</summary>
    internal static bool IsCritical(WordSpan word)
    {
        WordTraits t = word.Traits;
        if ((t & WordTraits.Punctuation) != 0)
        {
            return false;
        }

        return (t & (WordTraits.Digit | WordTraits.InnerUpper | WordTraits.Url)) != 0
            || ((t & WordTraits.Joined) != 0 && (t & WordTraits.Letter) != 0 && word.CoreLength > 3)
            || ((t & WordTraits.Capitalized) != 0 && (t & (WordTraits.SentenceStart | WordTraits.LineStart)) == 0 && word.CoreLength > 2);
    }
}
