using System.Text;

namespace ContextPress.Tests.TestSupport;

/// <summary>Assertions on compressed text shared by the library and CLI tests.</summary>
internal static class TextAssert
{
    /// <summary>Fails on a lone surrogate (a split emoji or astral character) and on text that is not valid UTF-8.</summary>
    public static void WellFormedUtf16(string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]))
            {
                Assert.True(i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]), $"lone high surrogate at {i}");
                i++;
            }
            else
            {
                Assert.False(char.IsLowSurrogate(text[i]), $"lone low surrogate at {i}");
            }
        }

        _ = new UTF8Encoding(false, true).GetBytes(text);
    }

    /// <summary>Counts non-overlapping ordinal occurrences of <paramref name="value"/>.</summary>
    public static int CountOccurrences(string text, string value)
    {
        int count = 0;
        for (int at = text.IndexOf(value, StringComparison.Ordinal); at >= 0; at = text.IndexOf(value, at + value.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
