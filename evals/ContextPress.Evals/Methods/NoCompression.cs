using ContextPress.Context;

namespace ContextPress.Evals.Methods;

/// <summary>Sends the whole history every turn.</summary>
internal sealed class NoCompression : IHistoryMethod
{
    public string Name => "no compression";

    public ValueTask<IReadOnlyList<ContextItem>> CompressAsync(IReadOnlyList<ContextItem> history, TurnRequest request, CancellationToken cancellationToken) =>
        ValueTask.FromResult(history);
}
