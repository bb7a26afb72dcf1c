using Microsoft.Extensions.AI;

namespace ContextPress.Context;

/// <summary>
/// Converts Microsoft.Extensions.AI <see cref="ChatMessage"/> lists to <see cref="ContextItem"/>s and back.
/// </summary>
/// <remarks>
/// <para>
/// A tool message becomes one <see cref="ContextItemKind.ToolResult"/> item per <see cref="FunctionResultContent"/>,
/// so compressors can handle each result on its own; <see cref="ToChatMessages"/> regroups them.
/// </para>
/// <para>
/// Items keep a reference to their original message, and converting back clones it and replaces only what the item
/// changed: the text, a function result, or function call arguments. Images, reasoning and other contents, as well
/// as message ids, timestamps and additional properties, survive. The caller's messages are never mutated.
/// </para>
/// </remarks>
public static class ChatMessageAdapter
{
    /// <summary>Converts chat messages to context items.</summary>
    /// <param name="messages">The conversation, in order.</param>
    /// <returns>
    /// One item per message, except tool messages, which give one <see cref="ContextItemKind.ToolResult"/> item per
    /// function result. An assistant message with function calls gives one <see cref="ContextItemKind.ToolCall"/> item.
    /// </returns>
    /// <exception cref="ArgumentException">A message is <see langword="null"/> or has a role with no context equivalent.</exception>
    public static IReadOnlyList<ContextItem> ToContextItems(IEnumerable<ChatMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);

        List<ContextItem> items = [];
        Dictionary<string, string> toolNameByCallId = new(StringComparer.Ordinal);
        int userMessages = 0;
        int index = 0;

        foreach (ChatMessage message in messages)
        {
            if (message is null)
            {
                throw new ArgumentException($"Message {index} is null.", nameof(messages));
            }

            if (message.Role == ChatRole.User)
            {
                userMessages++;
            }

            int turn = Math.Max(0, userMessages - 1);
            if (message.Role == ChatRole.Tool)
            {
                AddToolResults(items, message, turn, toolNameByCallId);
            }
            else
            {
                items.Add(ToItem(message, turn, toolNameByCallId)
                    ?? throw new ArgumentException(
                        $"Message {index} has role '{message.Role}', which has no context equivalent.", nameof(messages)));
            }

            index++;
        }

        return items;
    }

    /// <summary>Converts context items back to chat messages.</summary>
    /// <param name="items">Items from <see cref="ToContextItems"/>, possibly changed, removed or reordered, plus new ones.</param>
    /// <returns>
    /// A new list. Items from <see cref="ToContextItems"/> give clones of their original messages with the items'
    /// changes applied; tool results from one original message are regrouped into that message at the place of the
    /// first of them, and a message whose items were all removed is left out. Other items give new messages.
    /// </returns>
    /// <exception cref="FormatException">A changed or new tool call has arguments that are not a JSON object.</exception>
    public static IList<ChatMessage> ToChatMessages(IReadOnlyList<ContextItem> items)
    {
        ArgumentNullException.ThrowIfNull(items);

        Dictionary<ChatMessage, List<(ContextItem Item, int ContentIndex)>> itemsByOriginal = new(ReferenceEqualityComparer.Instance);
        foreach (ContextItem item in items)
        {
            ArgumentNullException.ThrowIfNull(item, nameof(items));
            if (item.Source is ChatMessageSource source)
            {
                if (!itemsByOriginal.TryGetValue(source.Message, out List<(ContextItem, int)>? group))
                {
                    itemsByOriginal[source.Message] = group = [];
                }

                group.Add((item, source.ContentIndex));
            }
        }

        List<ChatMessage> messages = new(items.Count);
        HashSet<ChatMessage> rebuilt = new(ReferenceEqualityComparer.Instance);
        foreach (ContextItem item in items)
        {
            if (item.Source is not ChatMessageSource source)
            {
                messages.Add(ChatMessageBuilder.CreateMessage(item));
            }
            else if (rebuilt.Add(source.Message) &&
                     ChatMessageBuilder.RebuildMessage(source.Message, itemsByOriginal[source.Message]) is { } message)
            {
                messages.Add(message);
            }
        }

        return messages;
    }

    private static ContextItem? ToItem(ChatMessage message, int turn, Dictionary<string, string> toolNameByCallId)
    {
        ContextItem item = new()
        {
            Text = message.Text,
            AuthorName = message.AuthorName,
            Turn = turn,
            Source = new ChatMessageSource(message, ChatMessageSource.WholeMessage),
        };

        if (message.Role == ChatRole.System)
        {
            return item with { Kind = ContextItemKind.System, Role = ContextRole.System };
        }

        if (string.Equals(message.Role.Value, "developer", StringComparison.OrdinalIgnoreCase))
        {
            return item with { Kind = ContextItemKind.System, Role = ContextRole.Developer };
        }

        if (message.Role == ChatRole.User)
        {
            return item with { Kind = ContextItemKind.User, Role = ContextRole.User };
        }

        if (message.Role == ChatRole.Assistant)
        {
            List<ToolCall> calls = [];
            foreach (FunctionCallContent call in message.Contents.OfType<FunctionCallContent>())
            {
                calls.Add(new ToolCall(call.CallId, call.Name, ChatContentJson.ArgumentsToJson(call.Arguments)));
                toolNameByCallId[call.CallId] = call.Name;
            }

            return item with
            {
                Kind = calls.Count > 0 ? ContextItemKind.ToolCall : ContextItemKind.Assistant,
                Role = ContextRole.Assistant,
                ToolCalls = calls,
            };
        }

        return null;
    }

    private static void AddToolResults(
        List<ContextItem> items,
        ChatMessage message,
        int turn,
        Dictionary<string, string> toolNameByCallId)
    {
        bool foundResult = false;
        for (int i = 0; i < message.Contents.Count; i++)
        {
            if (message.Contents[i] is FunctionResultContent result)
            {
                foundResult = true;
                items.Add(new ContextItem
                {
                    Kind = ContextItemKind.ToolResult,
                    Role = ContextRole.Tool,
                    Text = ChatContentJson.ResultToText(result.Result),
                    AuthorName = message.AuthorName,
                    ToolCallId = result.CallId,
                    ToolName = toolNameByCallId.GetValueOrDefault(result.CallId),
                    Turn = turn,
                    Source = new ChatMessageSource(message, i),
                });
            }
        }

        if (!foundResult)
        {
            // A tool message without function results (plain text, say) still has to be kept; it answers no known call.
            items.Add(new ContextItem
            {
                Kind = ContextItemKind.ToolResult,
                Role = ContextRole.Tool,
                Text = message.Text,
                AuthorName = message.AuthorName,
                Turn = turn,
                Source = new ChatMessageSource(message, ChatMessageSource.WholeMessage),
            });
        }
    }
}
