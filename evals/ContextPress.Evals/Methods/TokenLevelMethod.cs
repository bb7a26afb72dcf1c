using ContextPress.Compression;
using ContextPress.Context;
using ContextPress.History;

namespace ContextPress.Evals.Methods;

/// <summary>
/// Token-level compression only: <see cref="PromptCompressor"/> at one rate on the text of every non-system message
/// (JSON included, as prose), the rate chosen each turn so the history meets the budget. No item is dropped.
/// </summary>
internal sealed class TokenLevelMethod(PromptCompressor compressor) : IHistoryMethod
{
    public string Name => "token-level only (PromptCompressor)";

    public async ValueTask<IReadOnlyList<ContextItem>> CompressAsync(IReadOnlyList<ContextItem> history, TurnRequest request, CancellationToken cancellationToken)
    {
        int total = HistoryTokens.Count(compressor.TokenCounter, history);
        if (total <= request.BudgetTokens)
        {
            return history;
        }

        int compressible = history.Where(Compressible).Sum(i => compressor.TokenCounter.CountTokens(i.Text));
        int fixedTokens = total - compressible;
        double rate = Math.Clamp((double)(request.BudgetTokens - fixedTokens) / Math.Max(1, compressible), 0.02, 1.0);
        var result = new List<ContextItem>(history.Count);
        foreach (ContextItem item in history)
        {
            if (!Compressible(item))
            {
                result.Add(item);
                continue;
            }

            PromptCompressionResult compressed = await compressor.CompressAsync(item.Text, new PromptCompressionOptions { Rate = rate, IncludeWordLabels = false }, cancellationToken).ConfigureAwait(false);
            result.Add(item.WithText(compressed.Text));
        }

        return result;
    }

    private static bool Compressible(ContextItem item) => item.Kind != ContextItemKind.System && item.Text.Length > 0;
}
