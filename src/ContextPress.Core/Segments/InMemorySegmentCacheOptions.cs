namespace ContextPress.Segments;

/// <summary>Settings of <see cref="InMemorySegmentCache"/>.</summary>
public sealed class InMemorySegmentCacheOptions
{
    /// <summary>Gets or sets the most bytes the entries may take (estimated: UTF-16 text, key and bookkeeping). Default 64 MiB.</summary>
    public long MaxBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Gets or sets how long an entry lives when the writer gives no time to live; null for no expiry. Default 1 hour.</summary>
    public TimeSpan? DefaultTimeToLive { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Throws <see cref="ArgumentException"/> when a setting is out of range.</summary>
    public void Validate()
    {
        if (MaxBytes <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxBytes), MaxBytes, "The byte bound must be positive.");
        }

        if (DefaultTimeToLive is { } ttl && ttl <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(DefaultTimeToLive), ttl, "The time to live must be positive.");
        }
    }
}
