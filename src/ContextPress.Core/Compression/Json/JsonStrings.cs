using ContextPress.Text;

namespace ContextPress.Compression.Json;

/// <summary>Classifies JSON string values and shortens prose ones to their lead.</summary>
internal static class JsonStrings
{
    /// <summary>Content words a cut keeps when the first sentence is too long.</summary>
    public const int LeadWords = 12;

    /// <summary>The longest first sentence (in content words) kept whole.</summary>
    public const int MaxSentenceWords = 20;

    /// <summary>Appended to a string cut to its lead.</summary>
    public const string Ellipsis = "\u2026";

    /// <summary>
    /// True when <paramref name="value"/> may be prose: it contains whitespace and at least four words with letters,
    /// and it is not embedded JSON or markup-like data (<c>{</c>, <c>[</c> first). Identifiers, numbers, dates, e-mails,
    /// URLs, UUIDs and enum-like values contain no whitespace and are never prose. The caller checks the token length.
    /// </summary>
    public static bool MayBeProse(string value)
    {
        if (value.Length < 8)
        {
            return false;
        }

        ReadOnlySpan<char> trimmed = value.AsSpan().Trim();
        if (trimmed.IsEmpty || trimmed[0] is '{' or '[')
        {
            return false;
        }

        int letterWords = 0;
        bool inWord = false;
        bool wordHasLetter = false;
        foreach (char c in trimmed)
        {
            if (char.IsWhiteSpace(c))
            {
                if (inWord && wordHasLetter)
                {
                    letterWords++;
                }

                inWord = false;
                wordHasLetter = false;
                continue;
            }

            inWord = true;
            wordHasLetter |= char.IsLetter(c);
        }

        if (inWord && wordHasLetter)
        {
            letterWords++;
        }

        return letterWords >= 4;
    }

    /// <summary>
    /// Returns the first sentence of <paramref name="value"/> (when it has at most <see cref="MaxSentenceWords"/> content
    /// words) or its first <see cref="LeadWords"/> words, followed by an ellipsis; null when that would remove nothing.
    /// Cuts fall between words of <see cref="WordSplitter"/>, so identifiers and numbers are never split.
    /// </summary>
    public static string? Lead(string value)
    {
        var words = new List<WordSpan>(Math.Min(value.Length / 4, 256));
        WordSplitter.Split(value, words);
        int content = 0;
        int wordCut = -1;
        int sentenceCut = -1;
        foreach (WordSpan word in words)
        {
            if ((word.Traits & WordTraits.Punctuation) != 0)
            {
                ReadOnlySpan<char> core = word.Core(value);
                bool ends = core.ContainsAny(".!?\u3002\uFF01\uFF1F")
                    && (word.End == value.Length || char.IsWhiteSpace(value[word.End]) || core.ContainsAny("\u3002\uFF01\uFF1F"));
                if (ends && content >= 3)
                {
                    sentenceCut = word.End;
                    break;
                }

                continue;
            }

            content++;
            if (content == LeadWords)
            {
                wordCut = word.End;
            }

            if (content > MaxSentenceWords)
            {
                break;
            }
        }

        bool sentence = sentenceCut >= 0;
        int cut = sentence ? sentenceCut : wordCut;
        if (cut < 0 || value.AsSpan(cut).IsWhiteSpace())
        {
            return null;
        }

        string lead = value[..cut].Trim();
        return sentence ? lead + " " + Ellipsis : lead + Ellipsis;
    }
}
