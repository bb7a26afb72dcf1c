using ContextPress.Context;
using ContextPress.History;

namespace ContextPress.Evals.Methods;

/// <summary>ContextPress's plan-aware <see cref="ContextCompressor"/> at the turn's budget, with or without the plan hint.</summary>
internal sealed class ContextPressMethod(ContextCompressor compressor, bool withPlan) : IHistoryMethod
{
    public string Name => withPlan ? "ContextPress + plan hint" : "ContextPress (no plan)";

    public async ValueTask<IReadOnlyList<ContextItem>> CompressAsync(IReadOnlyList<ContextItem> history, TurnRequest request, CancellationToken cancellationToken)
    {
        ContextCompressionResult result = await compressor.CompressAsync(
            history,
            new ContextCompressionOptions { BudgetTokens = request.BudgetTokens, Plan = withPlan ? request.Plan : null },
            cancellationToken).ConfigureAwait(false);
        return result.Items;
    }
}
