using Microsoft.Extensions.AI;

namespace ContextPress.Context;

/// <summary>Builds the chat messages that <see cref="ChatMessageAdapter.ToChatMessages"/> returns.</summary>
internal static class ChatMessageBuilder
{
    /// <summary>Creates a message for an item that was not read from a <see cref="ChatMessage"/>.</summary>
    public static ChatMessage CreateMessage(ContextItem item)
    {
        switch (item.Kind)
        {
            case ContextItemKind.ToolCall:
                List<AIContent> contents = [];
                if (item.Text.Length > 0)
                {
                    contents.Add(new TextContent(item.Text));
                }

                foreach (ToolCall call in item.ToolCalls)
                {
                    contents.Add(new FunctionCallContent(call.CallId, call.Name, ChatContentJson.ParseArguments(call)));
                }

                return new ChatMessage(ChatRole.Assistant, contents) { AuthorName = item.AuthorName };

            case ContextItemKind.ToolResult:
                // A missing call id is reported by ContextValidation; the message is still built so callers can inspect it.
                return new ChatMessage(ChatRole.Tool, [new FunctionResultContent(item.ToolCallId ?? string.Empty, item.Text)]);

            default:
                return new ChatMessage(ToChatRole(item.Role), item.Text) { AuthorName = item.AuthorName };
        }
    }

    /// <summary>
    /// Clones <paramref name="original"/> and applies the changes of the items read from it.
    /// Returns <see langword="null"/> when the changes leave the message without contents.
    /// </summary>
    public static ChatMessage? RebuildMessage(ChatMessage original, List<(ContextItem Item, int ContentIndex)> items)
    {
        ContextItem? wholeMessageItem = null;
        Dictionary<int, ContextItem> resultItems = [];
        foreach ((ContextItem item, int contentIndex) in items)
        {
            if (contentIndex == ChatMessageSource.WholeMessage)
            {
                wholeMessageItem ??= item;
            }
            else
            {
                resultItems.TryAdd(contentIndex, item);
            }
        }

        // Copy the list: the clone must not share it with the caller's message.
        List<AIContent> contents = new(original.Contents.Count);
        bool changed = resultItems.Count > 0
            ? CopyWithResultChanges(original.Contents, resultItems, contents)
            : CopyAll(original.Contents, contents);

        string? authorName = original.AuthorName;
        if (wholeMessageItem is not null)
        {
            changed |= ReplaceText(contents, original.Text, wholeMessageItem.Text);
            changed |= ReplaceCalls(contents, wholeMessageItem.ToolCalls);
            if (!string.Equals(wholeMessageItem.AuthorName, authorName, StringComparison.Ordinal))
            {
                authorName = wholeMessageItem.AuthorName;
                changed = true;
            }
        }

        if (changed && contents.Count == 0 && original.Contents.Count > 0)
        {
            return null;
        }

        ChatMessage clone = original.Clone();
        clone.Contents = contents;
        clone.AuthorName = authorName;
        if (changed)
        {
            // Provider clients send RawRepresentation in place of the contents when it is their own type,
            // which would silently undo the changes.
            clone.RawRepresentation = null;
        }

        return clone;
    }

    private static bool CopyAll(IList<AIContent> source, List<AIContent> destination)
    {
        destination.AddRange(source);
        return false;
    }

    private static bool CopyWithResultChanges(IList<AIContent> source, Dictionary<int, ContextItem> resultItems, List<AIContent> destination)
    {
        bool changed = false;
        for (int i = 0; i < source.Count; i++)
        {
            AIContent content = source[i];
            if (content is FunctionResultContent result)
            {
                if (!resultItems.TryGetValue(i, out ContextItem? item))
                {
                    // The result's item was removed.
                    changed = true;
                    continue;
                }

                string callId = item.ToolCallId ?? result.CallId;
                if (!string.Equals(item.Text, ChatContentJson.ResultToText(result.Result), StringComparison.Ordinal) ||
                    !string.Equals(callId, result.CallId, StringComparison.Ordinal))
                {
                    content = new FunctionResultContent(callId, item.Text)
                    {
                        Exception = result.Exception,
                        AdditionalProperties = result.AdditionalProperties,
                    };
                    changed = true;
                }
            }

            destination.Add(content);
        }

        return changed;
    }

    /// <summary>Replaces the text contents by one holding <paramref name="newText"/>, at the first one's place.</summary>
    private static bool ReplaceText(List<AIContent> contents, string originalText, string newText)
    {
        if (string.Equals(originalText, newText, StringComparison.Ordinal))
        {
            return false;
        }

        int firstTextIndex = contents.FindIndex(content => content is TextContent);
        TextContent? firstText = firstTextIndex >= 0 ? (TextContent)contents[firstTextIndex] : null;
        contents.RemoveAll(content => content is TextContent);

        if (newText.Length > 0)
        {
            // Annotations and the raw representation describe the old text, so only additional properties carry over.
            TextContent replacement = new(newText) { AdditionalProperties = firstText?.AdditionalProperties };
            contents.Insert(Math.Max(firstTextIndex, 0), replacement);
        }

        return true;
    }

    /// <summary>Makes the function calls match <paramref name="calls"/>, keeping the unchanged ones as they are.</summary>
    private static bool ReplaceCalls(List<AIContent> contents, IReadOnlyList<ToolCall> calls)
    {
        bool changed = false;
        HashSet<string> existingCallIds = new(StringComparer.Ordinal);

        for (int i = 0; i < contents.Count; i++)
        {
            if (contents[i] is not FunctionCallContent original)
            {
                continue;
            }

            existingCallIds.Add(original.CallId);
            ToolCall? call = FindCall(calls, original.CallId);
            if (call is null)
            {
                contents.RemoveAt(i--);
                changed = true;
            }
            else if (!string.Equals(call.Name, original.Name, StringComparison.Ordinal) ||
                     !string.Equals(call.ArgumentsJson, ChatContentJson.ArgumentsToJson(original.Arguments), StringComparison.Ordinal))
            {
                contents[i] = new FunctionCallContent(call.CallId, call.Name, ChatContentJson.ParseArguments(call))
                {
                    InformationalOnly = original.InformationalOnly,
                    AdditionalProperties = original.AdditionalProperties,
                };
                changed = true;
            }
        }

        foreach (ToolCall call in calls)
        {
            if (!existingCallIds.Contains(call.CallId))
            {
                contents.Add(new FunctionCallContent(call.CallId, call.Name, ChatContentJson.ParseArguments(call)));
                changed = true;
            }
        }

        return changed;
    }

    private static ToolCall? FindCall(IReadOnlyList<ToolCall> calls, string callId)
    {
        foreach (ToolCall call in calls)
        {
            if (string.Equals(call.CallId, callId, StringComparison.Ordinal))
            {
                return call;
            }
        }

        return null;
    }

    private static ChatRole ToChatRole(ContextRole role) => role switch
    {
        ContextRole.System => ChatRole.System,
        ContextRole.Developer => new ChatRole("developer"),
        ContextRole.User => ChatRole.User,
        ContextRole.Assistant => ChatRole.Assistant,
        ContextRole.Tool => ChatRole.Tool,
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, "Unknown context role."),
    };
}
