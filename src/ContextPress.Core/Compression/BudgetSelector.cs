using System.Buffers;
using ContextPress.Text;

namespace ContextPress.Compression;

/// <summary>Keeps the most probable words whose token weights fit a budget, in linear time.</summary>
internal static class BudgetSelector
{
    private const int Buckets = 1 << 16;

    /// <summary>Below this many words, sorting them beats clearing and scanning every bucket.</summary>
    private const int SortedSelectionWords = 4096;

    /// <summary>
    /// Adds to <paramref name="kept"/> the most probable words not yet kept, until their weights reach
    /// <paramref name="budget"/>. Words of equal probability (same bucket) are taken in text order.
    /// </summary>
    /// <returns>The number of words added.</returns>
    public static int Select(ReadOnlySpan<float> probabilities, ReadOnlySpan<int> weights, Span<bool> kept, int budget)
    {
        if (budget <= 0)
        {
            return 0;
        }

        return probabilities.Length < SortedSelectionWords
            ? SelectSorted(probabilities, weights, kept, budget)
            : SelectByBuckets(probabilities, weights, kept, budget);
    }

    /// <summary><see cref="Select"/> as a counting sort over all buckets: linear time for long texts.</summary>
    internal static int SelectByBuckets(ReadOnlySpan<float> probabilities, ReadOnlySpan<int> weights, Span<bool> kept, int budget)
    {
        if (budget <= 0)
        {
            return 0;
        }

        int added = 0;

        // A counting sort over 65,536 probability buckets: O(n), no per-word allocation, deterministic.
        long[] bucketWeights = ArrayPool<long>.Shared.Rent(Buckets);
        try
        {
            Array.Clear(bucketWeights, 0, Buckets);
            for (int w = 0; w < probabilities.Length; w++)
            {
                if (!kept[w])
                {
                    bucketWeights[Bucket(probabilities[w])] += weights[w];
                }
            }

            long used = 0;
            int boundary = -1;
            for (int b = Buckets - 1; b >= 0; b--)
            {
                if (used + bucketWeights[b] > budget)
                {
                    boundary = b;
                    break;
                }

                used += bucketWeights[b];
            }

            return added + KeepFromBoundary(probabilities, weights, kept, boundary, used, budget);
        }
        finally
        {
            ArrayPool<long>.Shared.Return(bucketWeights);
        }
    }

    /// <summary>
    /// <see cref="Select"/> for short texts (most JSON strings): the same buckets and boundary, found by sorting the
    /// words not yet kept instead of clearing and scanning all 65,536 buckets.
    /// </summary>
    internal static int SelectSorted(ReadOnlySpan<float> probabilities, ReadOnlySpan<int> weights, Span<bool> kept, int budget)
    {
        if (budget <= 0)
        {
            return 0;
        }

        long[] order = ArrayPool<long>.Shared.Rent(probabilities.Length);
        try
        {
            int count = 0;
            for (int w = 0; w < probabilities.Length; w++)
            {
                if (!kept[w])
                {
                    // Highest bucket first; the index only makes the key unique.
                    order[count++] = ((long)(Buckets - 1 - Bucket(probabilities[w])) << 32) | (uint)w;
                }
            }

            Span<long> sorted = order.AsSpan(0, count);
            sorted.Sort();
            long used = 0;
            int boundary = -1;
            for (int i = 0; i < count;)
            {
                int bucket = Buckets - 1 - (int)(sorted[i] >> 32);
                long bucketWeight = 0;
                for (; i < count && Buckets - 1 - (int)(sorted[i] >> 32) == bucket; i++)
                {
                    bucketWeight += weights[(int)(sorted[i] & uint.MaxValue)];
                }

                if (used + bucketWeight > budget)
                {
                    boundary = bucket;
                    break;
                }

                used += bucketWeight;
            }

            return KeepFromBoundary(probabilities, weights, kept, boundary, used, budget);
        }
        finally
        {
            ArrayPool<long>.Shared.Return(order);
        }
    }

    /// <summary>Un-keeps the least probable kept, non-forced words until their weights reach <paramref name="excess"/>.</summary>
    /// <returns>False when no word could be dropped.</returns>
    public static bool DropLeastProbable(ReadOnlySpan<float> probabilities, ReadOnlySpan<int> weights, ReadOnlySpan<WordSpan> words, Span<bool> kept, int excess)
    {
        var candidates = new List<int>();
        for (int w = 0; w < words.Length; w++)
        {
            if (kept[w] && (words[w].Traits & WordTraits.Forced) == 0)
            {
                candidates.Add(w);
            }
        }

        if (candidates.Count == 0)
        {
            return false;
        }

        float[] keys = new float[candidates.Count];
        for (int i = 0; i < keys.Length; i++)
        {
            keys[i] = probabilities[candidates[i]];
        }

        int[] order = candidates.ToArray();
        Array.Sort(keys, order);
        int dropped = 0;
        for (int i = 0; i < order.Length && dropped < excess; i++)
        {
            kept[order[i]] = false;
            dropped += Math.Max(1, weights[order[i]]);
        }

        return true;
    }

    /// <summary>Returns the most probable word not yet kept whose weight fits <paramref name="room"/>, or -1.</summary>
    public static int BestUnkept(ReadOnlySpan<float> probabilities, ReadOnlySpan<int> weights, ReadOnlySpan<bool> kept, int room)
    {
        int best = -1;
        for (int w = 0; w < probabilities.Length; w++)
        {
            if (!kept[w] && weights[w] <= room && (best < 0 || probabilities[w] > probabilities[best]))
            {
                best = w;
            }
        }

        return best;
    }

    private static int Bucket(float probability) => (int)(Math.Clamp(probability, 0f, 1f) * (Buckets - 1));

    // Keeps every word above the boundary bucket, then boundary-bucket words in input order while they fit.
    private static int KeepFromBoundary(ReadOnlySpan<float> probabilities, ReadOnlySpan<int> weights, Span<bool> kept, int boundary, long used, int budget)
    {
        int added = 0;
        for (int w = 0; w < probabilities.Length; w++)
        {
            if (kept[w])
            {
                continue;
            }

            int bucket = Bucket(probabilities[w]);
            if (bucket > boundary)
            {
                kept[w] = true;
                added++;
            }
            else if (bucket == boundary && used + weights[w] <= budget)
            {
                kept[w] = true;
                used += weights[w];
                added++;
            }
        }

        return added;
    }
}
