using Microsoft.Extensions.AI;

namespace ContextPress.Context;

/// <summary>
/// Records where a <see cref="ContextItem"/> made by <see cref="ChatMessageAdapter"/> came from, so that
/// <see cref="ChatMessageAdapter.ToChatMessages"/> can rebuild the message changing only what the item changed.
/// </summary>
/// <param name="Message">The caller's original message; never mutated.</param>
/// <param name="ContentIndex">
/// The index in <see cref="ChatMessage.Contents"/> of the <see cref="FunctionResultContent"/> the item stands for,
/// or <see cref="WholeMessage"/> when the item stands for the whole message.
/// </param>
internal sealed record ChatMessageSource(ChatMessage Message, int ContentIndex)
{
    /// <summary>The <see cref="ContentIndex"/> of an item that stands for its whole message.</summary>
    public const int WholeMessage = -1;
}
