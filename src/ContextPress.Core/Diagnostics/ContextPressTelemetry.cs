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
}
