namespace ContextPress.Compression;

/// <summary>NumPy's default (<c>method="linear"</c>) percentile, over values repeated by integer weights.</summary>
internal static class NumpyPercentile
{
    /// <summary>
    /// Returns <c>np.percentile(expanded, q)</c> where <c>expanded</c> repeats <c>values[i]</c> <c>weights[i]</c> times.
    /// </summary>
    /// <param name="values">The values.</param>
    /// <param name="weights">How often each value occurs (non-negative); null for once each.</param>
    /// <param name="q">The percentile, 0..100.</param>
    /// <returns>The interpolated percentile; NaN when there is no value.</returns>
    public static double Compute(ReadOnlySpan<double> values, ReadOnlySpan<int> weights, double q)
    {
        long n = 0;
        for (int i = 0; i < values.Length; i++)
        {
            n += weights.IsEmpty ? 1 : weights[i];
        }

        if (n == 0)
        {
            return double.NaN;
        }

        int[] order = new int[values.Length];
        for (int i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        double[] keys = values.ToArray();
        Array.Sort(keys, order);

        // NumPy: virtual index = (n - 1) * (q / 100), then _lerp(a, b, t) with its two-sided form.
        double position = (n - 1) * (q / 100.0);
        long below = (long)Math.Floor(position);
        double t = position - below;
        double a = ValueAt(keys, order, weights, below);
        double b = ValueAt(keys, order, weights, Math.Min(below + 1, n - 1));
        double diff = b - a;
        return t >= 0.5 ? b - (diff * (1 - t)) : a + (diff * t);
    }

    private static double ValueAt(double[] sortedValues, int[] order, ReadOnlySpan<int> weights, long expandedIndex)
    {
        long cumulative = 0;
        for (int k = 0; k < sortedValues.Length; k++)
        {
            cumulative += weights.IsEmpty ? 1 : weights[order[k]];
            if (expandedIndex < cumulative)
            {
                return sortedValues[k];
            }
        }

        return sortedValues[^1];
    }
}
