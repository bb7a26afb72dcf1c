using System.Runtime.CompilerServices;
using ContextPress.Context;
using ContextPress.History;
using ContextPress.Observations;

namespace ContextPress.Evals.Methods;

/// <summary>
/// The full ContextPress pipeline as the README recommends it: each tool result over 1,000 tokens is compressed once as
/// it arrives (<see cref="ObservationCompressor"/>, the SK filter's and MEAI middleware's engine, halving it), then the
/// history is compressed to the turn's budget with the plan hint.
/// </summary>
internal sealed class ContextPressPipelineMethod(ObservationCompressor observations, ContextCompressor history) : IHistoryMethod
{
    // A result is compressed once, on arrival, as the filter does: memoized by the result's string instance.
    private readonly ConditionalWeakTable<string, string> _arrived = new();

    public string Name => "ContextPress pipeline (observations + history, plan)";

    public async ValueTask<IReadOnlyList<ContextItem>> CompressAsync(IReadOnlyList<ContextItem> items, TurnRequest request, CancellationToken cancellationToken)
    {
        string? instruction = items.LastOrDefault(i => i.Kind == ContextItemKind.User)?.Text;
        var calls = items.SelectMany(i => i.ToolCalls).ToDictionary(c => c.CallId, StringComparer.Ordinal);
        var observed = new List<ContextItem>(items.Count);
        foreach (ContextItem item in items)
        {
            if (item.Kind != ContextItemKind.ToolResult)
            {
                observed.Add(item);
                continue;
            }

            if (!_arrived.TryGetValue(item.Text, out string? text))
            {
                ToolCall? call = item.ToolCallId is { } id && calls.TryGetValue(id, out ToolCall? c) ? c : null;
                ObservationCompressionResult result = await observations.CompressAsync(item.Text, ObservationCompressionOptions.Default, new ObservationContext(item.ToolName, call?.ArgumentsJson, instruction), cancellationToken).ConfigureAwait(false);
                text = result.Text;
                _arrived.AddOrUpdate(item.Text, text);
            }

            observed.Add(item.WithText(text));
        }

        ContextCompressionResult compressed = await history.CompressAsync(
            observed,
            new ContextCompressionOptions { BudgetTokens = request.BudgetTokens, Plan = request.Plan },
            cancellationToken).ConfigureAwait(false);
        return compressed.Items;
    }
}
