using ContextPress.Context;

namespace ContextPress.Benchmarks.History;

/// <summary>The text of a history that a value can be found in: items' text and tool-call arguments.</summary>
public static class HistoryText
{
    /// <summary>Whether <paramref name="value"/> occurs verbatim in the item's text or in one of its calls' arguments.</summary>
    /// <param name="item">The item.</param>
    /// <param name="value">The value.</param>
    /// <returns><see langword="true"/> when found.</returns>
    public static bool Contains(ContextItem item, string value)
    {
        ArgumentNullException.ThrowIfNull(item);
        ArgumentNullException.ThrowIfNull(value);
        if (item.Text.Contains(value, StringComparison.Ordinal))
        {
            return true;
        }

        foreach (ToolCall call in item.ToolCalls)
        {
            if (call.ArgumentsJson.Contains(value, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether <paramref name="value"/> occurs verbatim anywhere in <paramref name="items"/>.</summary>
    /// <param name="items">The history.</param>
    /// <param name="value">The value.</param>
    /// <returns><see langword="true"/> when found.</returns>
    public static bool Contains(IReadOnlyList<ContextItem> items, string value)
    {
        ArgumentNullException.ThrowIfNull(items);
        foreach (ContextItem item in items)
        {
            if (Contains(item, value))
            {
                return true;
            }
        }

        return false;
    }
}
