namespace ContextPress.Segments;

/// <summary>Settings for <see cref="SegmentCompressor"/>. Everything that changes a segment's output is part of the cache key.</summary>
public sealed record SegmentCompressionOptions
{
    /// <summary>The namespace used when none is set.</summary>
    public const string DefaultNamespace = "default";

    /// <summary>Gets the default options.</summary>
    public static SegmentCompressionOptions Default { get; } = new();

    /// <summary>Gets how documents are cut. Default <see cref="SegmentationMode.Auto"/>.</summary>
    public SegmentationMode Mode { get; init; } = SegmentationMode.Auto;

    /// <summary>Gets the most tokens of one prose segment (paragraphs and sentences over it are cut). Default 256.</summary>
    public int MaxSegmentTokens { get; init; } = 256;

    /// <summary>Gets the fewest tokens a segment needs to be compressed and cached; shorter ones are kept verbatim. Default 16.</summary>
    public int MinCompressTokens { get; init; } = 16;

    /// <summary>Gets the fraction of tokens kept in prose segments (and in long prose strings of JSON elements), in (0, 1]. Default 0.5.</summary>
    public double Rate { get; init; } = 0.5;

    /// <summary>Gets strings always kept in prose segments.</summary>
    public IReadOnlyList<string> ForceTokens { get; init; } = [];

    /// <summary>Gets a value indicating whether words containing digits are always kept in prose segments. Default true.</summary>
    public bool ForceReserveDigit { get; init; } = true;

    /// <summary>
    /// Gets a value indicating whether JSON elements are compressed structurally (default true): nulls and empties
    /// dropped, long prose strings compressed, very long arrays trimmed with a marker, keys, ids and numbers untouched.
    /// When false, JSON elements are only minified.
    /// </summary>
    public bool CompressJsonElements { get; init; } = true;

    /// <summary>Gets the namespace (tenant) of the cache entries; see <see cref="SegmentCacheKey.IsValidNamespace"/>. Default <c>default</c>.</summary>
    public string Namespace { get; init; } = DefaultNamespace;

    /// <summary>Gets how long new cache entries live; the cache's default when null.</summary>
    public TimeSpan? TimeToLive { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> when a setting is out of range.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Mode))
        {
            throw new ArgumentOutOfRangeException(nameof(Mode), Mode, "Unknown segmentation mode.");
        }

        if (MaxSegmentTokens < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxSegmentTokens), MaxSegmentTokens, "A segment must allow at least one token.");
        }

        if (MinCompressTokens < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MinCompressTokens), MinCompressTokens, "The threshold cannot be negative.");
        }

        if (double.IsNaN(Rate) || Rate <= 0 || Rate > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Rate), Rate, "Rate is the fraction of tokens to keep and must be in (0, 1].");
        }

        ArgumentNullException.ThrowIfNull(ForceTokens);
        foreach (string token in ForceTokens)
        {
            if (string.IsNullOrEmpty(token))
            {
                throw new ArgumentException("Force tokens cannot be null or empty.", nameof(ForceTokens));
            }
        }

        SegmentCacheKey.ThrowIfInvalidNamespace(Namespace, nameof(Namespace));
        if (TimeToLive is { } ttl && ttl <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(TimeToLive), ttl, "The time to live must be positive.");
        }
    }
}
