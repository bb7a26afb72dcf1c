namespace ContextPress.Predictor.Caching;

/// <summary>How keys are grouped for quantization.</summary>
public enum KeyQuantization
{
    /// <summary>KIVI: per channel, groups of <see cref="KiviOptions.GroupSize"/> tokens share a scale per channel (keys have outlier channels).</summary>
    PerChannel,

    /// <summary>Like values: per token, groups of <see cref="KiviOptions.GroupSize"/> channels share a scale (the baseline KIVI improves on).</summary>
    PerToken,
}

/// <summary>Settings of <see cref="KiviKvCache"/> (KIVI, arXiv 2402.02750; defaults as in its LongBench runs).</summary>
public sealed record KiviOptions
{
    /// <summary>Bits per code: 4 (the safe choice for GQA models) or 2.</summary>
    public int Bits { get; init; } = 4;

    /// <summary>Entries sharing one scale and minimum (tokens for per-channel keys, channels for values; capped at the head dimension for channels).</summary>
    public int GroupSize { get; init; } = 32;

    /// <summary>Recent tokens kept in full precision (a multiple of <see cref="GroupSize"/>).</summary>
    public int ResidualLength { get; init; } = 128;

    /// <summary>Key grouping; per channel is KIVI's.</summary>
    public KeyQuantization KeyQuantization { get; init; } = KeyQuantization.PerChannel;

    /// <summary>Throws when a setting is out of range.</summary>
    /// <exception cref="ArgumentException">The setting, named in the message, is invalid.</exception>
    public KiviOptions Validate()
    {
        if (Bits is not (2 or 4))
        {
            throw new ArgumentException($"KIVI Bits must be 2 or 4, not {Bits}.", nameof(Bits));
        }
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(GroupSize, nameof(GroupSize));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ResidualLength, nameof(ResidualLength));
        if (ResidualLength % GroupSize != 0)
        {
            throw new ArgumentException($"KIVI ResidualLength ({ResidualLength}) must be a multiple of GroupSize ({GroupSize}).", nameof(ResidualLength));
        }
        return this;
    }
}
