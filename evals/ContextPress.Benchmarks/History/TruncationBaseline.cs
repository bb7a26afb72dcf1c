using ContextPress.Context;

namespace ContextPress.Benchmarks.History;

/// <summary>
/// The keep-newest-messages baseline (what Semantic Kernel's truncating reducer does): keep every system message,
/// then walk back from the newest message and keep whole groups (a tool-call item with the tool results that follow
/// it, or a single other message) while they fit the budget; the first group that does not fit ends the walk, so the
/// kept messages are a contiguous newest suffix. Items are counted with <see cref="HistoryTokens"/>, as the compressor counts.
/// The "fill" variant skips a group that does not fit and goes on with older ones, so small old messages (a login, the
/// password list) can still use the budget that a large recent observation left.
/// </summary>
public static class TruncationBaseline
{
    /// <summary>Truncates <paramref name="items"/> to <paramref name="budgetTokens"/>.</summary>
    /// <param name="items">The history, oldest first.</param>
    /// <param name="budgetTokens">The budget, system messages included.</param>
    /// <param name="fill">Whether to skip groups that do not fit and keep looking at older ones.</param>
    /// <returns>The kept items in their original order.</returns>
    public static IReadOnlyList<ContextItem> KeepNewest(IReadOnlyList<ContextItem> items, int budgetTokens, bool fill = false)
    {
        ArgumentNullException.ThrowIfNull(items);
        var keep = new bool[items.Count];
        int used = 0;
        for (int i = 0; i < items.Count; i++)
        {
            if (items[i].Kind == ContextItemKind.System)
            {
                keep[i] = true;
                used += HistoryTokens.Count(items[i]);
            }
        }

        // Groups, newest first: a call item owns the tool results right after it.
        int end = items.Count;
        while (end > 0)
        {
            int start = end - 1;
            while (start > 0 && items[start].Kind == ContextItemKind.ToolResult)
            {
                start--;
            }

            if (items[start].Kind != ContextItemKind.ToolCall && start < end - 1)
            {
                // Results without a call right before them (not produced by the generator): a group of their own.
                start++;
            }

            if (items[start].Kind == ContextItemKind.System)
            {
                end = start;
                continue;
            }

            int tokens = 0;
            for (int i = start; i < end; i++)
            {
                tokens += HistoryTokens.Count(items[i]);
            }

            if (used + tokens > budgetTokens)
            {
                if (!fill)
                {
                    break;
                }

                end = start;
                continue;
            }

            used += tokens;
            for (int i = start; i < end; i++)
            {
                keep[i] = true;
            }

            end = start;
        }

        var kept = new List<ContextItem>();
        for (int i = 0; i < items.Count; i++)
        {
            if (keep[i])
            {
                kept.Add(items[i]);
            }
        }

        return kept;
    }
}
