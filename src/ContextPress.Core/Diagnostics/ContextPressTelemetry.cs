using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace ContextPress.Diagnostics;

/// <summary>The <see cref="ActivitySource"/> and <see cref="Meter"/> every ContextPress component reports through.</summary>
public static class ContextPressTelemetry
{
    /// <summary>The name of the activity source and meter: <c>ContextPress</c>.</summary>
    public const string SourceName = "ContextPress";

    /// <summary>Gets the activity source.</summary>
    public static ActivitySource ActivitySource { get; } = new(SourceName);

    /// <summary>Gets the meter.</summary>
    public static Meter Meter { get; } = new(SourceName);

    internal static Counter<long> InputTokens { get; } = Meter.CreateCounter<long>("contextpress.compression.input_tokens", "{token}", "Tokens given to a compressor.");

    internal static Counter<long> OutputTokens { get; } = Meter.CreateCounter<long>("contextpress.compression.output_tokens", "{token}", "Tokens a compressor returned.");

    internal static Histogram<double> Duration { get; } = Meter.CreateHistogram<double>("contextpress.compression.duration", "s", "Time one compression took.");

    internal static Histogram<double> Ratio { get; } = Meter.CreateHistogram<double>("contextpress.compression.ratio", "1", "Original over compressed tokens.");

    internal static Counter<long> Actions { get; } = Meter.CreateCounter<long>("contextpress.compression.actions", "{item}", "Context items by the action the history compressor took on them.");

    internal static Counter<long> Skipped { get; } = Meter.CreateCounter<long>("contextpress.compression.skipped", "{request}", "Histories or results left as they were because they were under the trigger.");

    internal static Counter<long> Failures { get; } = Meter.CreateCounter<long>("contextpress.compression.failures", "{request}", "Compressions that failed, after which the original was sent.");

    /// <summary>Gets the counter of segment cache lookups that found an entry (tag <c>contextpress.cache</c>: the cache kind).</summary>
    public static Counter<long> SegmentCacheHits { get; } = Meter.CreateCounter<long>("contextpress.segment_cache.hits", "{segment}", "Segment cache lookups that found an entry.");

    /// <summary>Gets the counter of segment cache lookups that found nothing (or an unusable value), so the segment was compressed.</summary>
    public static Counter<long> SegmentCacheMisses { get; } = Meter.CreateCounter<long>("contextpress.segment_cache.misses", "{segment}", "Segment cache lookups that found nothing usable.");

    /// <summary>Gets the counter of segment cache operations that failed (timeouts, lost connections, corrupt values); each is served as a miss.</summary>
    public static Counter<long> SegmentCacheErrors { get; } = Meter.CreateCounter<long>("contextpress.segment_cache.errors", "{operation}", "Segment cache operations that failed and were served as misses.");

    /// <summary>Gets the counter of segment cache operations skipped while the cache was bypassed after a fault (circuit open).</summary>
    public static Counter<long> SegmentCacheBypassed { get; } = Meter.CreateCounter<long>("contextpress.segment_cache.bypassed", "{operation}", "Segment cache operations skipped while the cache is bypassed after a fault.");

    /// <summary>Gets the counter of entries evicted from a bounded segment cache to make room.</summary>
    public static Counter<long> SegmentCacheEvictions { get; } = Meter.CreateCounter<long>("contextpress.segment_cache.evictions", "{segment}", "Entries evicted from a bounded segment cache.");
}
