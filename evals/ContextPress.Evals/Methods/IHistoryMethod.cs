using ContextPress.Context;
using ContextPress.History;

namespace ContextPress.Evals.Methods;

/// <summary>What a method is asked for one turn: the budget and (for plan-aware methods) the plan with its current step.</summary>
internal sealed record TurnRequest(int BudgetTokens, ContextPlan Plan);

/// <summary>Hits and misses of a segment cache during a run.</summary>
internal sealed record SegmentCacheStatistics(long Hits, long Misses)
{
    public double HitRate => Hits + Misses == 0 ? 0 : (double)Hits / (Hits + Misses);
}

/// <summary>A history-compression method under evaluation: the history in, what is sent to the model out.</summary>
internal interface IHistoryMethod
{
    string Name { get; }

    ValueTask<IReadOnlyList<ContextItem>> CompressAsync(IReadOnlyList<ContextItem> history, TurnRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// Gets the segment-cache statistics, or null when no segment cache is wired (the report then says "n/a").
    /// Seam: when Core's <c>ISegmentCache</c> lands, a ContextPress method built over a counting cache returns its totals here.
    /// </summary>
    SegmentCacheStatistics? CacheStatistics => null;
}
