using Microsoft.SemanticKernel;

namespace ContextPress.SemanticKernel;

/// <summary>Where a <see cref="ContextPress.Context.ContextItem"/> made by <see cref="ChatHistoryAdapter"/> came from.</summary>
/// <param name="Message">The caller's original message; never mutated.</param>
/// <param name="ItemIndex">The index in <see cref="ChatMessageContent.Items"/> of the function result the item stands for, or <see cref="WholeMessage"/>.</param>
internal sealed record ChatMessageContentSource(ChatMessageContent Message, int ItemIndex)
{
    public const int WholeMessage = -1;
}
