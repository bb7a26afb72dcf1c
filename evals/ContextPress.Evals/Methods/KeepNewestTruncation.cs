using ContextPress.Context;
using ContextPress.Tokens;

namespace ContextPress.Evals.Methods;

/// <summary>
/// Keeps the system prompt and the latest user request, then the newest call/result groups that fit the budget (a group
/// that does not fit ends the walk). The request is kept to make the baseline fair: most real truncation keeps it.
/// </summary>
internal sealed class KeepNewestTruncation(ITokenCounter counter) : IHistoryMethod
{
    public string Name => "keep-newest truncation";

    public ValueTask<IReadOnlyList<ContextItem>> CompressAsync(IReadOnlyList<ContextItem> history, TurnRequest request, CancellationToken cancellationToken)
    {
        int lastUser = -1;
        for (int i = 0; i < history.Count; i++)
        {
            lastUser = history[i].Kind == ContextItemKind.User ? i : lastUser;
        }

        var keep = new bool[history.Count];
        int used = 0;
        for (int i = 0; i < history.Count; i++)
        {
            if (history[i].Kind == ContextItemKind.System || i == lastUser)
            {
                keep[i] = true;
                used += HistoryTokens.Count(counter, history[i]);
            }
        }

        int end = history.Count;
        while (end > 0)
        {
            int start = end - 1;
            while (start > 0 && history[start].Kind == ContextItemKind.ToolResult)
            {
                start--;
            }

            if (keep[start])
            {
                end = start;
                continue;
            }

            int tokens = 0;
            for (int i = start; i < end; i++)
            {
                tokens += HistoryTokens.Count(counter, history[i]);
            }

            if (used + tokens > request.BudgetTokens)
            {
                break;
            }

            used += tokens;
            Array.Fill(keep, true, start, end - start);
            end = start;
        }

        IReadOnlyList<ContextItem> kept = history.Where((_, i) => keep[i]).ToList();
        return ValueTask.FromResult(kept);
    }
}
