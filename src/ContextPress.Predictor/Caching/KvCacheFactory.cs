namespace ContextPress.Predictor.Caching;

/// <summary>Builds the <see cref="IKvCache"/> that <see cref="KvCacheOptions"/> names, sized for a model.</summary>
public static class KvCacheFactory
{
    /// <summary>
    /// Creates a cache for <paramref name="model"/> and a generation of up to <paramref name="capacity"/> tokens
    /// (prompt + new tokens) over <paramref name="batch"/> rows.
    /// </summary>
    /// <exception cref="ArgumentException">The options are invalid or do not fit the model (named in the message).</exception>
    public static IKvCache Create(CausalLM model, KvCacheOptions options, long capacity, long batch = 1)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        options.Validate();
        var layers = model.Config.NumHiddenLayers;
        return options.Kind switch
        {
            KvCacheKind.Dense => DenseKvCache.For(model, capacity, batch),
            KvCacheKind.Kivi => KiviKvCache.For(model, options.Kivi),
            KvCacheKind.Gear => GearKvCache.For(model, options.Gear),
            KvCacheKind.SnapKv => new SnapKvCache(layers, options.SnapKvSettings),
            KvCacheKind.Streaming => new StreamingKvCache(layers, StreamingCapacity(capacity, options), options.SinkTokens),
            _ => throw new ArgumentException($"Unknown KV cache kind {options.Kind}.", nameof(options)),
        };
    }

    /// <summary>Ring size: <c>int(capacity·(1 − ratio))</c>, at least one entry beyond the sinks.</summary>
    internal static long StreamingCapacity(long capacity, KvCacheOptions options) =>
        Math.Max((long)(capacity * (1 - options.CompressionRatio)), options.SinkTokens + 1);
}
