using System.Globalization;

namespace ContextPress.Predictor.Compression;

/// <summary>Which weights a pruner zeroes: a fraction of each comparison group, or n of every m consecutive inputs.</summary>
public abstract record SparsityPattern
{
    private protected SparsityPattern()
    {
    }

    /// <summary>Zeroes ⌊<paramref name="sparsity"/>·size⌋ weights of each comparison group (a row, or for SparseGPT the whole matrix).</summary>
    /// <param name="sparsity">Fraction of weights removed, in [0, 1).</param>
    public static UnstructuredSparsity Unstructured(double sparsity) => new(sparsity);

    /// <summary>Zeroes exactly <paramref name="n"/> of every <paramref name="m"/> consecutive inputs of each row (2:4 = NofM(2, 4)).</summary>
    public static NofMSparsity NofM(int n, int m) => new(n, m);

    /// <summary>
    /// Parses "0.5", "50%" (unstructured, fraction removed) or "2:4" (n zeros of every m).
    /// </summary>
    /// <exception cref="ArgumentException">The text is neither form, or its values are out of range.</exception>
    public static SparsityPattern Parse(string text)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        var s = text.Trim();
        var colon = s.IndexOf(':', StringComparison.Ordinal);
        if (colon > 0
            && int.TryParse(s.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            && int.TryParse(s.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var m))
        {
            return NofM(n, m);
        }
        var percent = s.EndsWith('%');
        if (double.TryParse(percent ? s[..^1] : s, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            return Unstructured(percent ? value / 100 : value);
        }
        throw new ArgumentException($"Sparsity '{text}' is neither a fraction (0.5, 50%) nor n:m (2:4).", nameof(text));
    }
}

/// <summary>Unstructured sparsity: a fraction <see cref="Sparsity"/> of each comparison group is zeroed.</summary>
public sealed record UnstructuredSparsity : SparsityPattern
{
    /// <summary>Creates the pattern.</summary>
    /// <param name="sparsity">Fraction of weights removed, in [0, 1).</param>
    public UnstructuredSparsity(double sparsity)
    {
        if (!(sparsity >= 0 && sparsity < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(sparsity), sparsity, "Unstructured sparsity must be a fraction removed in [0, 1).");
        }
        Sparsity = sparsity;
    }

    /// <summary>Fraction of weights removed.</summary>
    public double Sparsity { get; }

    /// <summary>
    /// Weights zeroed in a group of <paramref name="size"/>: ⌊sparsity·size⌋, rounded to 1e-9 first so that 0.29·100
    /// counts 29, not the 28 its binary product would floor to.
    /// </summary>
    public long ZeroCount(long size) => (long)Math.Floor(Math.Round(Sparsity * size, 9));

    /// <inheritdoc />
    public override string ToString() => FormattableString.Invariant($"{Sparsity:0.###}");
}

/// <summary>N:M sparsity: exactly <see cref="N"/> zeros in every <see cref="M"/> consecutive inputs of each row.</summary>
public sealed record NofMSparsity : SparsityPattern
{
    /// <summary>Creates the pattern.</summary>
    /// <param name="n">Zeros per group, 1 ≤ n &lt; m.</param>
    /// <param name="m">Consecutive inputs per group, at least 2.</param>
    public NofMSparsity(int n, int m)
    {
        if (m < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(m), m, "N:M sparsity needs M ≥ 2 consecutive inputs per group.");
        }
        if (n < 1 || n >= m)
        {
            throw new ArgumentOutOfRangeException(nameof(n), n, $"N:M sparsity needs 1 ≤ N < M = {m} zeros per group.");
        }
        N = n;
        M = m;
    }

    /// <summary>Zeros per group.</summary>
    public int N { get; }

    /// <summary>Consecutive inputs per group.</summary>
    public int M { get; }

    /// <summary>Fraction of weights removed, N / M.</summary>
    public double Sparsity => (double)N / M;

    internal void ThrowIfNotDividing(long columns)
    {
        if (columns % M != 0)
        {
            throw new ArgumentException($"N:M sparsity {this}: M = {M} does not divide the weight's {columns} input columns.", "pattern");
        }
    }

    /// <inheritdoc />
    public override string ToString() => FormattableString.Invariant($"{N}:{M}");
}
