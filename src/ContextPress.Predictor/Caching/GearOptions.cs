namespace ContextPress.Predictor.Caching;

/// <summary>Settings of <see cref="GearKvCache"/> (GEAR, arXiv 2403.05527, on KIVI's layout; defaults from its scripts except 4 bits).</summary>
public sealed record GearOptions
{
    /// <summary>Bits per code: 4 or 2.</summary>
    public int Bits { get; init; } = 4;

    /// <summary>Entries sharing one scale and minimum (tokens for keys, channels for values; capped at the head dimension).</summary>
    public int GroupSize { get; init; } = 32;

    /// <summary>Fraction of each vector (a key channel over a block's tokens, a value token over its channels) kept exactly: half the largest, half the smallest entries.</summary>
    public double OutlierRatio { get; init; } = 0.02;

    /// <summary>Rank of the low-rank correction per head for blocks compressed during decode.</summary>
    public int Rank { get; init; } = 2;

    /// <summary>Rank for the blocks compressed at prefill.</summary>
    public int PrefillRank { get; init; } = 4;

    /// <summary>Power-iteration loops for the low-rank factors.</summary>
    public int PowerIterations { get; init; } = 3;

    /// <summary>Recent tokens kept in full precision; compressed in blocks of this many (a multiple of <see cref="GroupSize"/>).</summary>
    public int BufferLength { get; init; } = 64;

    /// <summary>Seed of the power iteration's random start.</summary>
    public ulong Seed { get; init; }

    /// <summary>Throws when a setting is out of range.</summary>
    /// <exception cref="ArgumentException">The setting, named in the message, is invalid.</exception>
    public GearOptions Validate()
    {
        if (Bits is not (2 or 4))
        {
            throw new ArgumentException($"GEAR Bits must be 2 or 4, not {Bits}.", nameof(Bits));
        }
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(GroupSize, nameof(GroupSize));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(BufferLength, nameof(BufferLength));
        if (BufferLength % GroupSize != 0)
        {
            throw new ArgumentException($"GEAR BufferLength ({BufferLength}) must be a multiple of GroupSize ({GroupSize}).", nameof(BufferLength));
        }
        if (!(OutlierRatio >= 0 && OutlierRatio < 0.5))
        {
            throw new ArgumentException($"GEAR OutlierRatio must be in [0, 0.5), not {OutlierRatio}.", nameof(OutlierRatio));
        }
        ArgumentOutOfRangeException.ThrowIfNegative(Rank, nameof(Rank));
        ArgumentOutOfRangeException.ThrowIfNegative(PrefillRank, nameof(PrefillRank));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(PowerIterations, nameof(PowerIterations));
        return this;
    }
}
