namespace ContextPress.Evals.World;

/// <summary>A small deterministic PRNG (SplitMix64): the same seed gives the same sequence on every platform and runtime.</summary>
internal sealed class SeededRandom(ulong seed)
{
    private ulong _state = seed;

    /// <summary>Returns the next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Returns an integer in [0, <paramref name="maxExclusive"/>).</summary>
    public int Next(int maxExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxExclusive);
        return (int)(NextUInt64() % (ulong)maxExclusive);
    }

    /// <summary>Returns an integer in [<paramref name="min"/>, <paramref name="maxExclusive"/>).</summary>
    public int Next(int min, int maxExclusive) => min + Next(maxExclusive - min);

    /// <summary>Returns a double in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Picks one element.</summary>
    public T Pick<T>(IReadOnlyList<T> items) => items[Next(items.Count)];

    /// <summary>Returns lowercase hex of <paramref name="length"/> characters.</summary>
    public string Hex(int length)
    {
        var chars = new char[length];
        for (int i = 0; i < length; i++)
        {
            chars[i] = "0123456789abcdef"[Next(16)];
        }

        return new string(chars);
    }

    /// <summary>Returns uppercase letters and digits (no look-alike 0/O, 1/I).</summary>
    public string Code(int length)
    {
        const string alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        var chars = new char[length];
        for (int i = 0; i < length; i++)
        {
            chars[i] = alphabet[Next(alphabet.Length)];
        }

        return new string(chars);
    }

    /// <summary>Shuffles in place (Fisher-Yates).</summary>
    public void Shuffle<T>(IList<T> items)
    {
        for (int i = items.Count - 1; i > 0; i--)
        {
            int j = Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>Derives an independent stream for a named purpose, so adding draws to one part does not shift another.</summary>
    public static SeededRandom For(int seed, string purpose)
    {
        ulong hash = 14695981039346656037UL;
        foreach (char c in purpose)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return new SeededRandom(hash ^ ((ulong)(uint)seed * 0x9E3779B97F4A7C15UL));
    }
}
