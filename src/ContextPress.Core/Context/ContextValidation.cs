using System.Globalization;

namespace ContextPress.Context;

/// <summary>Checks that the tool calls and tool results in a context fit together, as chat APIs require.</summary>
/// <remarks>
/// Compressors that drop or reorder items can leave a tool result without its call, which providers reject with an
/// opaque error; checking before sending turns that into a clear message. A call without a result yet is allowed:
/// it can be the last, pending call.
/// </remarks>
public static class ContextValidation
{
    /// <summary>Lists the problems in <paramref name="items"/>, in item order.</summary>
    /// <param name="items">The context to check.</param>
    /// <returns>Human-readable problems; empty if the context is valid.</returns>
    public static IReadOnlyList<string> FindProblems(IReadOnlyList<ContextItem> items)
    {
        ArgumentNullException.ThrowIfNull(items);

        List<string> problems = [];
        Dictionary<string, int> callItemById = new(StringComparer.Ordinal);
        Dictionary<string, int> resultItemByCallId = new(StringComparer.Ordinal);

        for (int i = 0; i < items.Count; i++)
        {
            ContextItem item = items[i] ?? throw new ArgumentException($"Item {i} is null.", nameof(items));

            if (item.Kind == ContextItemKind.ToolCall)
            {
                CheckCalls(i, item, callItemById, problems);
            }
            else if (item.ToolCalls.Count > 0)
            {
                problems.Add(Format($"Item {i} is a {item.Kind} item but carries tool calls; only ToolCall items may."));
            }

            if (item.Kind == ContextItemKind.ToolResult)
            {
                CheckResult(i, item, callItemById, resultItemByCallId, problems);
            }
        }

        return problems;
    }

    /// <summary>Throws if <paramref name="items"/> has any of the problems that <see cref="FindProblems"/> reports.</summary>
    /// <param name="items">The context to check.</param>
    /// <exception cref="InvalidOperationException">The context has problems; the message lists them all.</exception>
    public static void EnsureValid(IReadOnlyList<ContextItem> items)
    {
        IReadOnlyList<string> problems = FindProblems(items);
        if (problems.Count > 0)
        {
            throw new InvalidOperationException(
                $"The context has {problems.Count} problem(s):{Environment.NewLine}- " +
                string.Join(Environment.NewLine + "- ", problems));
        }
    }

    private static void CheckCalls(int index, ContextItem item, Dictionary<string, int> callItemById, List<string> problems)
    {
        if (item.ToolCalls.Count == 0)
        {
            // Providers reject an assistant message with an empty tool_calls array.
            problems.Add(Format($"Item {index} is a ToolCall item without any tool calls."));
        }

        foreach (ToolCall call in item.ToolCalls)
        {
            if (string.IsNullOrWhiteSpace(call.CallId))
            {
                problems.Add(Format($"Item {index}: the call to tool '{call.Name}' has an empty call id."));
            }
            else if (callItemById.TryGetValue(call.CallId, out int firstIndex))
            {
                problems.Add(Format($"Item {index}: call id '{call.CallId}' is already used by item {firstIndex}."));
            }
            else
            {
                callItemById.Add(call.CallId, index);
            }
        }
    }

    private static void CheckResult(
        int index,
        ContextItem item,
        Dictionary<string, int> callItemById,
        Dictionary<string, int> resultItemByCallId,
        List<string> problems)
    {
        string? callId = item.ToolCallId;
        if (string.IsNullOrWhiteSpace(callId))
        {
            problems.Add(Format($"Item {index}: the tool result has no call id."));
        }
        else if (!callItemById.ContainsKey(callId))
        {
            problems.Add(Format($"Item {index}: the tool result for call id '{callId}' matches no earlier tool call."));
        }
        else if (resultItemByCallId.TryGetValue(callId, out int firstIndex))
        {
            problems.Add(Format($"Item {index}: duplicate result for call id '{callId}' (item {firstIndex} already answers it)."));
        }
        else
        {
            resultItemByCallId.Add(callId, index);
        }
    }

    private static string Format(FormattableString message) => message.ToString(CultureInfo.InvariantCulture);
}
