namespace ContextPress.Segments;

/// <summary>
/// A shared store of compressed segments, read and written in batches. <see cref="InMemorySegmentCache"/> is the
/// default; <c>ContextPress.Redis</c> shares entries between processes.
/// </summary>
/// <remarks>
/// Implementations are thread-safe and treat every backend fault (timeouts, lost connections, corrupt values) as a
/// miss or a skipped write: a cache must never fail a compression. They throw only for invalid arguments and for
/// <see cref="OperationCanceledException"/> when the caller's token is cancelled.
/// </remarks>
public interface ISegmentCache
{
    /// <summary>Looks up a batch of keys.</summary>
    /// <param name="keys">The keys.</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    /// <returns>One element per key, in order: the cached segment, or null for a miss.</returns>
    ValueTask<IReadOnlyList<CachedSegment?>> GetManyAsync(IReadOnlyList<SegmentCacheKey> keys, CancellationToken cancellationToken = default);

    /// <summary>Stores a batch of compressed segments.</summary>
    /// <param name="entries">The entries.</param>
    /// <param name="timeToLive">How long the entries live; the cache's default when null.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the batch is written (or skipped).</returns>
    ValueTask SetManyAsync(IReadOnlyList<SegmentCacheEntry> entries, TimeSpan? timeToLive = null, CancellationToken cancellationToken = default);
}
