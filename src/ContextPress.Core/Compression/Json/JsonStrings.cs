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

    /// <summary>The most lines <see cref="TellingLines"/> keeps (lines holding protected values come on top).</summary>
    public const int MaxTellingLines = 8;

    /// <summary>The most lines <see cref="TellingLines"/> keeps for their relevant terms alone.</summary>
    public const int MaxRelevantLines = 4;

    /// <summary>The longest line (in words) that counts as a short line of values.</summary>
    public const int MaxValueLineWords = 8;

    /// <summary>
    /// Returns the telling lines of a multi-line string: the first line, for every protected value it holds the line
    /// holding it with the most protected values and relevant terms, up to <see cref="MaxRelevantLines"/> more lines
    /// with the most of them (terms case-insensitive), then short lines with digits
    /// (<c>Amount due: 84.20</c>), up to <see cref="MaxTellingLines"/> in all, in their order, followed by a
    /// <c>"… N more lines omitted"</c> line. Null for fewer than three non-empty lines or when nothing would be removed.
    /// </summary>
    public static string? TellingLines(string value, string[] protectedValues, string[] relevantTerms)
    {
        string[] lines = value.Split('\n');
        int nonEmpty = 0;
        foreach (string line in lines)
        {
            nonEmpty += line.AsSpan().IsWhiteSpace() ? 0 : 1;
        }

        if (nonEmpty < 3)
        {
            return null;
        }

        // Score every line: protected values it holds dominate, relevant terms break ties.
        var keep = new bool[lines.Length];
        var scores = new int[lines.Length];
        int kept = 0;
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].AsSpan().IsWhiteSpace())
            {
                scores[i] = -1;
                continue;
            }

            if (kept == 0)
            {
                keep[i] = true;
                kept++;
            }

            scores[i] = (1000 * Contains(lines[i], protectedValues, StringComparison.Ordinal)) + Contains(lines[i], relevantTerms, StringComparison.OrdinalIgnoreCase);
        }

        // Every protected value survives: the best line holding it is kept (one line may serve several).
        foreach (string named in protectedValues)
        {
            int best = -1;
            for (int i = 0; i < lines.Length; i++)
            {
                if (keep[i] && lines[i].Contains(named, StringComparison.Ordinal))
                {
                    best = -2;
                    break;
                }

                if (scores[i] > 0 && (best < 0 || scores[i] > scores[best]) && lines[i].Contains(named, StringComparison.Ordinal))
                {
                    best = i;
                }
            }

            if (best >= 0)
            {
                keep[best] = true;
                kept++;
            }
        }

        // The lines sharing most with the request next: an itemised bill's "pay ... via Venmo to ..." line.
        var relevant = new List<int>();
        for (int i = 0; i < lines.Length; i++)
        {
            if (!keep[i] && scores[i] > 0)
            {
                relevant.Add(i);
            }
        }

        relevant.Sort((a, b) => scores[a] != scores[b] ? scores[b].CompareTo(scores[a]) : a.CompareTo(b));
        for (int r = 0; r < relevant.Count && r < MaxRelevantLines && kept < MaxTellingLines; r++)
        {
            keep[relevant[r]] = true;
            kept++;
        }

        // Then short lines of values in order (a statement's header fields), while there is room.
        for (int i = 0; i < lines.Length && kept < MaxTellingLines; i++)
        {
            if (!keep[i] && IsValueLine(lines[i]))
            {
                keep[i] = true;
                kept++;
            }
        }

        var result = new System.Text.StringBuilder();
        int omitted = 0;
        for (int i = 0; i < lines.Length; i++)
        {
            if (keep[i])
            {
                result.Append(lines[i].TrimEnd()).Append('\n');
            }
            else if (!lines[i].AsSpan().IsWhiteSpace())
            {
                omitted++;
            }
        }

        if (omitted == 0)
        {
            return null;
        }

        result.Append(System.Globalization.CultureInfo.InvariantCulture, $"{Ellipsis} {omitted} more lines omitted");
        return result.ToString();
    }

    private static int Contains(string line, string[] values, StringComparison comparison)
    {
        int count = 0;
        if (comparison == StringComparison.OrdinalIgnoreCase && values.Length > 0)
        {
            using var search = new IgnoreCaseText(line);
            foreach (string value in values)
            {
                count += search.Contains(value) ? 1 : 0;
            }

            return count;
        }

        foreach (string value in values)
        {
            count += line.Contains(value, comparison) ? 1 : 0;
        }

        return count;
    }

    private static bool IsValueLine(string line)
    {
        ReadOnlySpan<char> span = line.AsSpan().Trim();
        if (span.IsEmpty || !span.ContainsAnyInRange('0', '9'))
        {
            return false;
        }

        int words = 1;
        foreach (char c in span)
        {
            words += c == ' ' ? 1 : 0;
        }

        return words <= MaxValueLineWords;
    }

    /// <summary>The most sentences <see cref="ValueSentences"/> keeps.</summary>
    public const int MaxValueSentences = 4;

    /// <summary>
    /// Returns the sentences of a prose string that carry values: the first one, then those holding a digit, an
    /// <c>@</c>, a code-like word or a protected value (a date, a time, a confirmation code), up to <see cref="MaxValueSentences"/>, in
    /// their order, with an ellipsis where sentences were left out; null when that would remove nothing. A message whose
    /// code sits in its second sentence keeps it, where a lead cut would not.
    /// </summary>
    public static string? ValueSentences(string value, string[] protectedValues)
    {
        var words = new List<WordSpan>(Math.Min(value.Length / 4, 512));
        WordSplitter.Split(value, words);
        var sentences = new List<(int Start, int End)>();
        int start = 0;
        foreach (WordSpan word in words)
        {
            if ((word.Traits & WordTraits.Punctuation) == 0)
            {
                continue;
            }

            ReadOnlySpan<char> core = word.Core(value);
            if (core.ContainsAny(".!?\u3002\uFF01\uFF1F") && (word.End == value.Length || char.IsWhiteSpace(value[word.End])))
            {
                sentences.Add((start, word.End));
                start = word.End;
            }
        }

        if (start < value.Length && !value.AsSpan(start).IsWhiteSpace())
        {
            sentences.Add((start, value.Length));
        }

        if (sentences.Count < 2)
        {
            return null;
        }

        var result = new System.Text.StringBuilder();
        int kept = 0;
        bool gap = false;
        for (int i = 0; i < sentences.Count; i++)
        {
            ReadOnlySpan<char> sentence = value.AsSpan(sentences[i].Start, sentences[i].End - sentences[i].Start).Trim();
            bool carries = i == 0 || sentence.ContainsAnyInRange('0', '9') || sentence.Contains('@') || HasCode(sentence) || HoldsAny(sentence, protectedValues);
            if (!carries || kept >= MaxValueSentences)
            {
                gap = true;
                continue;
            }

            if (result.Length > 0)
            {
                result.Append(gap ? " " + Ellipsis + " " : " ");
            }

            result.Append(sentence);
            kept++;
            gap = false;
        }

        if (kept == sentences.Count)
        {
            return null;
        }

        return gap ? result.Append(' ').Append(Ellipsis).ToString() : result.ToString();
    }

    /// <summary>True when a word has an upper-case letter after its first character: a code (<c>CNF-RKWXPD</c>, <c>iPhone</c>).</summary>
    private static bool HasCode(ReadOnlySpan<char> text)
    {
        for (int i = 1; i < text.Length; i++)
        {
            if (char.IsUpper(text[i]) && (char.IsLetterOrDigit(text[i - 1]) || text[i - 1] == '-'))
            {
                return true;
            }
        }

        return false;
    }

    private static bool HoldsAny(ReadOnlySpan<char> text, string[] values)
    {
        foreach (string value in values)
        {
            if (text.Contains(value, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
