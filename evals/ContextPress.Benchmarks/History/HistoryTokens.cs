using ContextPress.Context;
using ContextPress.Tokens;

namespace ContextPress.Benchmarks.History;

/// <summary>
/// Counts history items the way <c>ContextCompressor</c> does: the item's text, each tool call's name and arguments,
/// plus 3 tokens per message and per call (o200k). The benchmark checks at run time that its totals equal the
/// compressor's <c>TokensBefore</c> and reports any difference.
/// </summary>
public static class HistoryTokens
{
    /// <summary>The per-message (and per-call) overhead the compressor adds.</summary>
    public const int MessageOverhead = 3;

    /// <summary>Gets the counter (o200k_base).</summary>
    public static ITokenCounter Counter => TiktokenTokenCounter.O200k;

    /// <summary>Counts one item.</summary>
    /// <param name="item">The item.</param>
    /// <returns>Its tokens.</returns>
    public static int Count(ContextItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        int tokens = MessageOverhead + Counter.CountTokens(item.Text);
        foreach (ToolCall call in item.ToolCalls)
        {
            tokens += Counter.CountTokens(call.Name) + Counter.CountTokens(call.ArgumentsJson) + MessageOverhead;
        }

        return tokens;
    }

    /// <summary>Counts a history.</summary>
    /// <param name="items">The items.</param>
    /// <returns>The sum of <see cref="Count(ContextItem)"/>.</returns>
    public static int Count(IEnumerable<ContextItem> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        return items.Sum(Count);
    }
}
