using ContextPress.Context;
using ContextPress.History;
using ContextPress.Tokens;

namespace ContextPress.Evals.Methods;

/// <summary>Counts what a history costs in a request, the way <see cref="ContextCompressor"/> does; memoizes by item.</summary>
internal static class HistoryTokens
{
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<ITokenCounter, System.Runtime.CompilerServices.ConditionalWeakTable<string, StrongBox>> Caches = new();

    public static int Count(ITokenCounter counter, ContextItem item)
    {
        // Text tokens are memoized per string instance (histories re-send the same strings every turn).
        int text = Caches.GetValue(counter, _ => new()).GetValue(item.Text, t => new StrongBox(counter.CountTokens(t))).Value;
        return ContextCompressor.CountItemTokens(counter, item with { Text = string.Empty }) + text;
    }

    public static int Count(ITokenCounter counter, IEnumerable<ContextItem> items) => items.Sum(i => Count(counter, i));

    /// <summary>Tokens of the system items.</summary>
    public static int System(ITokenCounter counter, IEnumerable<ContextItem> items) => items.Where(i => i.Kind == ContextItemKind.System).Sum(i => Count(counter, i));

    private sealed class StrongBox(int value)
    {
        public int Value { get; } = value;
    }
}
