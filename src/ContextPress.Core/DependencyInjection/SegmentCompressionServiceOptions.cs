using ContextPress.Segments;

namespace ContextPress.DependencyInjection;

/// <summary>Service-level settings of segment compression, bound with <c>services.AddSegmentCompression(o => ...)</c>.</summary>
public sealed class SegmentCompressionServiceOptions
{
    /// <summary>Gets or sets the options <see cref="SegmentCompressor"/> uses for calls that pass none.</summary>
    public SegmentCompressionOptions Defaults { get; set; } = SegmentCompressionOptions.Default;

    /// <summary>Gets or sets the bounds of the default <see cref="InMemorySegmentCache"/> (unused when another <see cref="ISegmentCache"/> is registered).</summary>
    public InMemorySegmentCacheOptions MemoryCache { get; set; } = new();
}
