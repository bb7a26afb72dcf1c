using ContextPress.Context;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace ContextPress.SemanticKernel;

/// <summary>Converts Semantic Kernel chat messages to <see cref="ContextItem"/>s and back.</summary>
/// <remarks>
/// <para>
/// A tool message becomes one <see cref="ContextItemKind.ToolResult"/> item per <see cref="FunctionResultContent"/>;
/// an assistant message with <see cref="FunctionCallContent"/>s becomes one <see cref="ContextItemKind.ToolCall"/> item.
/// </para>
/// <para>
/// Converting back rebuilds only messages whose items changed, replacing their text or function results and keeping
/// every other content, the author, model id and metadata; unchanged messages are returned as the same instances. A
/// message whose items were all removed is left out. The caller's messages are never mutated.
/// </para>
/// </remarks>
public static class ChatHistoryAdapter
{
    /// <summary>Converts chat messages to context items.</summary>
    /// <param name="messages">The conversation, in order.</param>
    /// <returns>The items.</returns>
    /// <exception cref="ArgumentException">A message is <see langword="null"/> or has a role with no context equivalent.</exception>
    public static IReadOnlyList<ContextItem> ToContextItems(IEnumerable<ChatMessageContent> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);

        List<ContextItem> items = [];
        Dictionary<string, string> toolNameByCallId = new(StringComparer.Ordinal);
        int userMessages = 0;
        int index = 0;
        foreach (ChatMessageContent message in messages)
        {
            if (message is null)
            {
                throw new ArgumentException($"Message {index} is null.", nameof(messages));
            }

            if (message.Role == AuthorRole.User)
            {
                userMessages++;
            }

            int turn = Math.Max(0, userMessages - 1);
            if (message.Role == AuthorRole.Tool || (message.Items.OfType<FunctionResultContent>().Any() && !message.Items.OfType<FunctionCallContent>().Any()))
            {
                AddToolResults(items, message, turn, toolNameByCallId);
            }
            else
            {
                items.Add(ToItem(message, turn, toolNameByCallId)
                    ?? throw new ArgumentException($"Message {index} has role '{message.Role}', which has no context equivalent.", nameof(messages)));
            }

            index++;
        }

        return items;
    }

    /// <summary>Converts context items back to chat messages.</summary>
    /// <param name="items">Items from <see cref="ToContextItems"/>, possibly changed or removed, plus new ones.</param>
    /// <returns>A new list of messages.</returns>
    public static IList<ChatMessageContent> ToChatMessageContents(IReadOnlyList<ContextItem> items)
    {
        ArgumentNullException.ThrowIfNull(items);

        Dictionary<ChatMessageContent, List<(ContextItem Item, int ItemIndex)>> itemsByOriginal = new(ReferenceEqualityComparer.Instance);
        foreach (ContextItem item in items)
        {
            ArgumentNullException.ThrowIfNull(item, nameof(items));
            if (item.Source is ChatMessageContentSource source)
            {
                if (!itemsByOriginal.TryGetValue(source.Message, out List<(ContextItem, int)>? group))
                {
                    itemsByOriginal[source.Message] = group = [];
                }

                group.Add((item, source.ItemIndex));
            }
        }

        List<ChatMessageContent> messages = new(items.Count);
        HashSet<ChatMessageContent> rebuilt = new(ReferenceEqualityComparer.Instance);
        foreach (ContextItem item in items)
        {
            if (item.Source is not ChatMessageContentSource source)
            {
                messages.Add(CreateMessage(item));
            }
            else if (rebuilt.Add(source.Message) && Rebuild(source.Message, itemsByOriginal[source.Message]) is { } message)
            {
                messages.Add(message);
            }
        }

        return messages;
    }

    private static ContextItem? ToItem(ChatMessageContent message, int turn, Dictionary<string, string> toolNameByCallId)
    {
        ContextItem item = new()
        {
            Text = TextOf(message),
            AuthorName = message.AuthorName,
            Turn = turn,
            Source = new ChatMessageContentSource(message, ChatMessageContentSource.WholeMessage),
        };

        if (message.Role == AuthorRole.System)
        {
            return item with { Kind = ContextItemKind.System, Role = ContextRole.System };
        }

        if (string.Equals(message.Role.Label, "developer", StringComparison.OrdinalIgnoreCase))
        {
            return item with { Kind = ContextItemKind.System, Role = ContextRole.Developer };
        }

        if (message.Role == AuthorRole.User)
        {
            return item with { Kind = ContextItemKind.User, Role = ContextRole.User };
        }

        if (message.Role == AuthorRole.Assistant)
        {
            List<ToolCall> calls = [];
            foreach (FunctionCallContent call in message.Items.OfType<FunctionCallContent>())
            {
                string callId = call.Id ?? string.Empty;
                string name = NameOf(call.FunctionName, call.PluginName);
                calls.Add(new ToolCall(callId, name, SkJson.ArgumentsToJson(call.Arguments)));
                toolNameByCallId[callId] = name;
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

    private static void AddToolResults(List<ContextItem> items, ChatMessageContent message, int turn, Dictionary<string, string> toolNameByCallId)
    {
        bool foundResult = false;
        for (int i = 0; i < message.Items.Count; i++)
        {
            if (message.Items[i] is FunctionResultContent result)
            {
                foundResult = true;
                string callId = result.CallId ?? string.Empty;
                items.Add(new ContextItem
                {
                    Kind = ContextItemKind.ToolResult,
                    Role = ContextRole.Tool,
                    Text = SkJson.ResultToText(result.Result),
                    AuthorName = message.AuthorName,
                    ToolCallId = callId,
                    ToolName = toolNameByCallId.GetValueOrDefault(callId) ?? NameOf(result.FunctionName, result.PluginName),
                    Turn = turn,
                    Source = new ChatMessageContentSource(message, i),
                });
            }
        }

        if (!foundResult)
        {
            // A tool message without function results still has to be kept; it answers no known call.
            items.Add(new ContextItem
            {
                Kind = ContextItemKind.ToolResult,
                Role = ContextRole.Tool,
                Text = TextOf(message),
                AuthorName = message.AuthorName,
                Turn = turn,
                Source = new ChatMessageContentSource(message, ChatMessageContentSource.WholeMessage),
            });
        }
    }

    private static ChatMessageContent? Rebuild(ChatMessageContent original, List<(ContextItem Item, int ItemIndex)> kept)
    {
        Dictionary<int, ContextItem> keptByIndex = kept.ToDictionary(k => k.ItemIndex, k => k.Item);
        bool wholeMessage = keptByIndex.ContainsKey(ChatMessageContentSource.WholeMessage);
        List<KernelContent> contents = [];
        bool changed = false;

        if (wholeMessage)
        {
            ContextItem item = keptByIndex[ChatMessageContentSource.WholeMessage];
            if (string.Equals(item.Text, TextOf(original), StringComparison.Ordinal))
            {
                return original;
            }

            // Text changed: one text content, where the first one was, replaces all text contents.
            bool placed = false;
            foreach (KernelContent content in original.Items)
            {
                if (content is TextContent)
                {
                    if (!placed)
                    {
                        contents.Add(new TextContent(item.Text));
                        placed = true;
                    }
                }
                else
                {
                    contents.Add(content);
                }
            }

            if (!placed)
            {
                contents.Insert(0, new TextContent(item.Text));
            }

            changed = true;
        }
        else
        {
            for (int i = 0; i < original.Items.Count; i++)
            {
                KernelContent content = original.Items[i];
                if (content is not FunctionResultContent result)
                {
                    contents.Add(content);
                }
                else if (!keptByIndex.TryGetValue(i, out ContextItem? item))
                {
                    changed = true;
                }
                else if (!string.Equals(item.Text, SkJson.ResultToText(result.Result), StringComparison.Ordinal))
                {
                    contents.Add(new FunctionResultContent(result.FunctionName, result.PluginName, result.CallId, item.Text));
                    changed = true;
                }
                else
                {
                    contents.Add(result);
                }
            }

            if (!contents.OfType<FunctionResultContent>().Any())
            {
                return null;
            }
        }

        if (!changed)
        {
            return original;
        }

        // InnerContent is the provider's raw message; it no longer describes the changed one, so it is not carried over.
        var message = new ChatMessageContent(original.Role, [.. contents], original.ModelId, innerContent: null, original.Encoding, original.Metadata)
        {
            AuthorName = original.AuthorName,
        };
        return message;
    }

    private static ChatMessageContent CreateMessage(ContextItem item)
    {
        AuthorRole role = item.Role switch
        {
            ContextRole.System => AuthorRole.System,
            ContextRole.Developer => AuthorRole.Developer,
            ContextRole.User => AuthorRole.User,
            ContextRole.Tool => AuthorRole.Tool,
            _ => AuthorRole.Assistant,
        };

        ChatMessageContentItemCollection contents = [];
        if (item.Kind == ContextItemKind.ToolResult && item.ToolCallId is not null)
        {
            contents.Add(new FunctionResultContent(item.ToolName, pluginName: null, item.ToolCallId, item.Text));
        }
        else if (item.Text.Length > 0)
        {
            contents.Add(new TextContent(item.Text));
        }

        foreach (ToolCall call in item.ToolCalls)
        {
            contents.Add(new FunctionCallContent(call.Name, pluginName: null, call.CallId, ArgumentsOf(call)));
        }

        return new ChatMessageContent(role, contents) { AuthorName = item.AuthorName };
    }

    private static KernelArguments ArgumentsOf(ToolCall call)
    {
        var arguments = new KernelArguments();
        using var document = System.Text.Json.JsonDocument.Parse(string.IsNullOrWhiteSpace(call.ArgumentsJson) ? "{}" : call.ArgumentsJson);
        foreach (System.Text.Json.JsonProperty property in document.RootElement.EnumerateObject())
        {
            arguments[property.Name] = property.Value.ValueKind == System.Text.Json.JsonValueKind.String ? property.Value.GetString() : property.Value.GetRawText();
        }

        return arguments;
    }

    private static string TextOf(ChatMessageContent message)
    {
        List<string> texts = [.. message.Items.OfType<TextContent>().Select(t => t.Text ?? string.Empty)];
        return texts.Count switch
        {
            0 => string.Empty,
            1 => texts[0],
            _ => string.Join('\n', texts),
        };
    }

    private static string NameOf(string? functionName, string? pluginName) =>
        string.IsNullOrEmpty(pluginName) ? functionName ?? string.Empty : $"{pluginName}-{functionName}";
}
