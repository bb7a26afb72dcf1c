namespace ContextPress.Predictor.Caching;

/// <summary>Settings of <see cref="SnapKvCache"/> (SnapKV, arXiv 2404.14469, as kvpress' <c>SnapKVPress</c>).</summary>
public sealed record SnapKvOptions
{
    /// <summary>Fraction of the prefill's entries removed per KV head (kvpress' <c>compression_ratio</c>), in [0, 1).</summary>
    public double CompressionRatio { get; init; } = 0.5;

    /// <summary>Last prefill queries whose attention scores the earlier keys; their own entries are always kept.</summary>
    public int WindowSize { get; init; } = 64;

    /// <summary>Width of the average pooling over the scores (odd).</summary>
    public int KernelSize { get; init; } = 5;

    /// <summary>Throws when a setting is out of range.</summary>
    /// <exception cref="ArgumentException">The setting, named in the message, is invalid.</exception>
    public SnapKvOptions Validate()
    {
        if (!(CompressionRatio >= 0 && CompressionRatio < 1))
        {
            throw new ArgumentException($"SnapKV CompressionRatio must be in [0, 1), not {CompressionRatio}.", nameof(CompressionRatio));
        }
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(WindowSize, nameof(WindowSize));
        if (KernelSize <= 0 || KernelSize % 2 == 0)
        {
            throw new ArgumentException($"SnapKV KernelSize must be odd and positive, not {KernelSize}.", nameof(KernelSize));
        }
        return this;
    }
}
