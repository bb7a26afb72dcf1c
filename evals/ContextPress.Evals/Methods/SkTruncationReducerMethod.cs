using ContextPress.Context;
using ContextPress.SemanticKernel;
using ContextPress.Tokens;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace ContextPress.Evals.Methods;

/// <summary>
/// Semantic Kernel's <see cref="ChatHistoryTruncationReducer"/>, which counts messages: each turn uses the largest
/// target count whose reduced history fits the token budget (or the smallest one, over budget, when none does).
/// </summary>
internal sealed class SkTruncationReducerMethod(ITokenCounter counter) : IHistoryMethod
{
    public string Name => "SK ChatHistoryTruncationReducer";

    /// <summary>Gets how many target counts SK's reducer threw on (reported, not hidden).</summary>
    public int ReducerFaults { get; private set; }

    public async ValueTask<IReadOnlyList<ContextItem>> CompressAsync(IReadOnlyList<ContextItem> history, TurnRequest request, CancellationToken cancellationToken)
    {
        IList<ChatMessageContent> messages = ChatHistoryAdapter.ToChatMessageContents(history);
        if (HistoryTokens.Count(counter, history) <= request.BudgetTokens)
        {
            return history;
        }

        IReadOnlyList<ContextItem> best = history;
        for (int target = messages.Count - 1; target >= 1; target--)
        {
            var reducer = new ChatHistoryTruncationReducer(target);
            IEnumerable<ChatMessageContent>? reduced;
            try
            {
                reduced = await reducer.ReduceAsync([.. messages], cancellationToken).ConfigureAwait(false);
            }
            catch (IndexOutOfRangeException)
            {
                // SK 1.82's LocateSafeReductionIndex walks past the start of some histories (a run of call/result
                // messages right after the system prompt); that target count gives no reduction.
                ReducerFaults++;
                continue;
            }

            if (reduced is null)
            {
                continue;
            }

            best = ToItems(reduced);
            if (HistoryTokens.Count(counter, best) <= request.BudgetTokens)
            {
                break;
            }
        }

        return best;
    }

    private static IReadOnlyList<ContextItem> ToItems(IEnumerable<ChatMessageContent> reduced) =>
        ChatHistoryAdapter.ToContextItems(reduced).Select(i => i with { Source = null }).ToList();
}
