using System.Text;
using ContextPress.Text;

namespace ContextPress.Compression;

/// <summary>
/// microsoft/LLMLingua's per-chunk token-level selection (<c>__compress</c>), step by step; see
/// shared/reference/llmlingua2.md §A.7.
/// </summary>
internal static class ReferenceSelection
{
    /// <summary>Selects the words of one chunk and appends the chunk's compressed string to <paramref name="output"/>.</summary>
    public static void SelectChunk(
        string text,
        ReadOnlySpan<WordSpan> words,
        Span<float> probabilities,
        ReadOnlySpan<int> weights,
        Span<bool> kept,
        double reduceRate,
        bool forceReserveDigit,
        bool dropConsecutive,
        StringBuilder output)
    {
        var wordProbabilities = new double[words.Length];
        for (int w = 0; w < words.Length; w++)
        {
            // Force tokens and (optionally) digits are set to 1.0 when words are merged, before any threshold.
            bool forced = (words[w].Traits & WordTraits.Forced) != 0 || (forceReserveDigit && (words[w].Traits & WordTraits.Digit) != 0);
            wordProbabilities[w] = forced ? 1.0 : probabilities[w];
        }

        if (dropConsecutive)
        {
            double dropThreshold = NumpyPercentile.Compute(wordProbabilities, default, (int)(100 * reduceRate));
            bool wordBetween = false;
            int previous = -1;
            for (int w = 0; w < words.Length; w++)
            {
                if ((words[w].Traits & WordTraits.Forced) != 0)
                {
                    if (wordBetween)
                    {
                        wordBetween = false;
                    }
                    else if (previous >= 0 && words[w].Core(text).SequenceEqual(words[previous].Core(text)))
                    {
                        wordProbabilities[w] = 0.0;
                    }

                    previous = w;
                }
                else
                {
                    wordBetween |= wordProbabilities[w] > dropThreshold;
                }
            }
        }

        // The threshold is a percentile over tokens, each word's probability repeated once per cl100k token; the
        // percentile is int(100 * reduce_rate + 1) truncated toward zero, as in Python.
        double threshold = NumpyPercentile.Compute(wordProbabilities, weights, (int)((100 * reduceRate) + 1));
        int chunkStart = output.Length;
        int lastKept = -1;
        for (int w = 0; w < words.Length; w++)
        {
            double p = wordProbabilities[w];
            if (!(p > threshold || (threshold == 1.0 && p == threshold)))
            {
                continue;
            }

            bool forced = (words[w].Traits & WordTraits.Forced) != 0;
            if (dropConsecutive && forced && lastKept >= 0 && (words[lastKept].Traits & WordTraits.Forced) != 0
                && words[w].Core(text).SequenceEqual(words[lastKept].Core(text)))
            {
                continue;
            }

            kept[w] = true;
            lastKept = w;
            WordSpan word = words[w];
            bool whitespaceBefore = word.CoreStart > word.Start && !(forced && IsWhitespace(word.Core(text)));
            if (whitespaceBefore)
            {
                output.Append(' ');
            }

            output.Append(text, word.CoreStart, word.End - word.CoreStart);
        }

        // convert_tokens_to_string drops the first piece's leading space.
        if (output.Length > chunkStart && output[chunkStart] == ' ')
        {
            output.Remove(chunkStart, 1);
        }

        for (int w = 0; w < words.Length; w++)
        {
            probabilities[w] = (float)wordProbabilities[w];
        }
    }

    private static bool IsWhitespace(ReadOnlySpan<char> s) => s.IsWhiteSpace();
}
