namespace ContextPress.Predictor.Caching;

/// <summary>Which KV cache a model generates with.</summary>
public enum KvCacheKind
{
    /// <summary>Every entry in the model's dtype (<see cref="DenseKvCache"/>).</summary>
    Dense,

    /// <summary>KIVI 2/4-bit quantization (<see cref="KiviKvCache"/>).</summary>
    Kivi,

    /// <summary>StreamingLLM sinks + recent window (<see cref="StreamingKvCache"/>).</summary>
    Streaming,

    /// <summary>SnapKV prefill eviction (<see cref="SnapKvCache"/>).</summary>
    SnapKv,

    /// <summary>GEAR: KIVI + outliers + low-rank error (<see cref="GearKvCache"/>).</summary>
    Gear,
}

/// <summary>The KV cache to build per generation (see <see cref="KvCacheFactory"/>). The default is dense.</summary>
public sealed record KvCacheOptions
{
    /// <summary>Dense KV cache (the default).</summary>
    public static KvCacheOptions Dense { get; } = new();

    /// <summary>Gets the kind of cache.</summary>
    public KvCacheKind Kind { get; init; } = KvCacheKind.Dense;

    /// <summary>Gets the KIVI settings (<see cref="KvCacheKind.Kivi"/>).</summary>
    public KiviOptions Kivi { get; init; } = new();

    /// <summary>Gets the GEAR settings (<see cref="KvCacheKind.Gear"/>).</summary>
    public GearOptions Gear { get; init; } = new();

    /// <summary>
    /// Gets the fraction of entries an evicting cache removes, in [0, 1) (kvpress' <c>compression_ratio</c>): SnapKV of the
    /// prefill; StreamingLLM of the generation's capacity (prompt + new tokens), which fixes its ring size.
    /// </summary>
    public double CompressionRatio { get; init; } = 0.5;

    /// <summary>Gets the first tokens StreamingLLM always keeps.</summary>
    public int SinkTokens { get; init; } = 4;

    /// <summary>Gets SnapKV's observation window (last prefill queries).</summary>
    public int SnapKvWindow { get; init; } = 64;

    /// <summary>Gets SnapKV's pooling kernel.</summary>
    public int SnapKvKernelSize { get; init; } = 5;

    /// <summary>
    /// Parses a command-line name: <c>dense</c>, <c>kivi4</c>, <c>kivi2</c>, <c>streaming</c>, <c>snapkv</c>, <c>gear</c>
    /// (4-bit), <c>gear2</c>; <paramref name="compressionRatio"/> sets the fraction removed by the evicting kinds.
    /// </summary>
    /// <exception cref="ArgumentException">The name is unknown or the ratio is outside [0, 1).</exception>
    public static KvCacheOptions Parse(string name, double? compressionRatio = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        var options = name.Trim().ToLowerInvariant() switch
        {
            "dense" => new KvCacheOptions(),
            "kivi" or "kivi4" => new KvCacheOptions { Kind = KvCacheKind.Kivi },
            "kivi2" => new KvCacheOptions { Kind = KvCacheKind.Kivi, Kivi = new KiviOptions { Bits = 2 } },
            "streaming" or "streamingllm" => new KvCacheOptions { Kind = KvCacheKind.Streaming },
            "snapkv" => new KvCacheOptions { Kind = KvCacheKind.SnapKv },
            "gear" or "gear4" => new KvCacheOptions { Kind = KvCacheKind.Gear },
            "gear2" => new KvCacheOptions { Kind = KvCacheKind.Gear, Gear = new GearOptions { Bits = 2 } },
            _ => throw new ArgumentException($"Unknown KV cache '{name}' (dense, kivi4, kivi2, streaming, snapkv, gear, gear2).", nameof(name)),
        };
        return (compressionRatio is { } ratio ? options with { CompressionRatio = ratio } : options).Validate();
    }

    /// <summary>Throws when a setting is out of range.</summary>
    /// <exception cref="ArgumentException">The setting, named in the message, is invalid.</exception>
    public KvCacheOptions Validate()
    {
        if (!Enum.IsDefined(Kind))
        {
            throw new ArgumentException($"Unknown KV cache kind {Kind}.", nameof(Kind));
        }
        if (!(CompressionRatio >= 0 && CompressionRatio < 1))
        {
            throw new ArgumentException($"The KV CompressionRatio (fraction removed) must be in [0, 1), not {CompressionRatio}.", nameof(CompressionRatio));
        }
        ArgumentOutOfRangeException.ThrowIfNegative(SinkTokens, nameof(SinkTokens));
        Kivi.Validate();
        Gear.Validate();
        SnapKvSettings.Validate();
        return this;
    }

    internal SnapKvOptions SnapKvSettings => new() { CompressionRatio = CompressionRatio, WindowSize = SnapKvWindow, KernelSize = SnapKvKernelSize };
}
