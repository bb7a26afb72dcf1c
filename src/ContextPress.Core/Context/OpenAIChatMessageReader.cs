using System.Globalization;
using System.Text.Json;

namespace ContextPress.Context;

/// <summary>Turns OpenAI chat-completions messages into <see cref="ContextItem"/>s.</summary>
internal static class OpenAIChatMessageReader
{
    /// <summary>Reads the messages array found at <paramref name="root"/>.</summary>
    public static IReadOnlyList<ContextItem> ReadMessages(JsonElement root)
    {
        JsonElement messages = FindMessagesArray(root);

        List<ContextItem> items = new(messages.GetArrayLength());
        Dictionary<string, string> toolNameByCallId = new(StringComparer.Ordinal);
        Dictionary<string, Queue<string>> pendingLegacyCallIdsByName = new(StringComparer.Ordinal);
        int userMessages = 0;
        int index = 0;

        foreach (JsonElement message in messages.EnumerateArray())
        {
            ContextItem item = ReadMessage(message, index, toolNameByCallId, pendingLegacyCallIdsByName);
            if (item.Kind == ContextItemKind.User)
            {
                userMessages++;
            }

            items.Add(item with { Turn = Math.Max(0, userMessages - 1) });
            index++;
        }

        return items;
    }

    /// <summary>
    /// Gets the text of a message's <c>content</c>: the string itself, or its text parts joined by a line feed.
    /// The writer uses the same rule to tell whether an item's text changed.
    /// </summary>
    public static string ReadText(JsonElement message, int index)
    {
        if (!message.TryGetProperty("content", out JsonElement content))
        {
            return string.Empty;
        }

        switch (content.ValueKind)
        {
            case JsonValueKind.Null:
                return string.Empty;
            case JsonValueKind.String:
                return content.GetString()!;
            case JsonValueKind.Array:
                List<string> texts = [];
                int partIndex = 0;
                foreach (JsonElement part in content.EnumerateArray())
                {
                    if (part.ValueKind != JsonValueKind.Object)
                    {
                        throw Error(index, $"content part {partIndex} must be an object but is {JsonKinds.Describe(part)}.");
                    }

                    if (IsTextPart(part))
                    {
                        texts.Add(part.TryGetProperty("text", out JsonElement text) && text.ValueKind == JsonValueKind.String
                            ? text.GetString()!
                            : throw Error(index, $"text content part {partIndex} has no string 'text'."));
                    }

                    partIndex++;
                }

                return string.Join('\n', texts);
            default:
                throw Error(index, $"'content' must be a string, null or an array of parts but is {JsonKinds.Describe(content)}.");
        }
    }

    /// <summary>Whether a content part is a <c>{"type":"text"}</c> part, whose text belongs to the item's text.</summary>
    public static bool IsTextPart(JsonElement part) =>
        part.ValueKind == JsonValueKind.Object &&
        part.TryGetProperty("type", out JsonElement type) &&
        type.ValueKind == JsonValueKind.String &&
        type.ValueEquals("text");

    /// <summary>Whether the message uses the legacy <c>function_call</c> field rather than <c>tool_calls</c>.</summary>
    public static bool UsesLegacyFunctionCall(JsonElement message) =>
        message.TryGetProperty("function_call", out JsonElement call) && call.ValueKind == JsonValueKind.Object &&
        !(message.TryGetProperty("tool_calls", out JsonElement calls) && calls.ValueKind == JsonValueKind.Array);

    private static JsonElement FindMessagesArray(JsonElement root)
    {
        switch (root.ValueKind)
        {
            case JsonValueKind.Array:
                return root;
            case JsonValueKind.Object when root.TryGetProperty("messages", out JsonElement messages):
                return messages.ValueKind == JsonValueKind.Array
                    ? messages
                    : throw new FormatException($"The 'messages' property must be an array but is {JsonKinds.Describe(messages)}.");
            case JsonValueKind.Object:
                throw new FormatException("The JSON object has no 'messages' array.");
            default:
                throw new FormatException(
                    $"Expected a JSON array of messages or an object with a 'messages' array, but found {JsonKinds.Describe(root)}.");
        }
    }

    private static ContextItem ReadMessage(
        JsonElement message,
        int index,
        Dictionary<string, string> toolNameByCallId,
        Dictionary<string, Queue<string>> pendingLegacyCallIdsByName)
    {
        if (message.ValueKind != JsonValueKind.Object)
        {
            throw Error(index, $"expected a JSON object but found {JsonKinds.Describe(message)}.");
        }

        string roleName = GetOptionalString(message, "role", index)
            ?? throw Error(index, "the message has no 'role'.");
        string text = ReadText(message, index);
        string? name = GetOptionalString(message, "name", index);
        ContextItem item = new() { Text = text, Source = message.Clone() };

        switch (roleName)
        {
            case "system":
                return item with { Kind = ContextItemKind.System, Role = ContextRole.System, AuthorName = name };
            case "developer":
                return item with { Kind = ContextItemKind.System, Role = ContextRole.Developer, AuthorName = name };
            case "user":
                return item with { Kind = ContextItemKind.User, Role = ContextRole.User, AuthorName = name };
            case "assistant":
                IReadOnlyList<ToolCall> calls = ReadToolCalls(message, index, pendingLegacyCallIdsByName);
                foreach (ToolCall call in calls)
                {
                    toolNameByCallId[call.CallId] = call.Name;
                }

                return item with
                {
                    Kind = calls.Count > 0 ? ContextItemKind.ToolCall : ContextItemKind.Assistant,
                    Role = ContextRole.Assistant,
                    AuthorName = name,
                    ToolCalls = calls,
                };
            case "tool":
                string callId = GetOptionalString(message, "tool_call_id", index)
                    ?? throw Error(index, "a tool message needs a string 'tool_call_id'.");
                return item with
                {
                    Kind = ContextItemKind.ToolResult,
                    Role = ContextRole.Tool,
                    ToolCallId = callId,
                    ToolName = toolNameByCallId.GetValueOrDefault(callId) ?? name,
                };
            case "function":
                string functionName = name ?? throw Error(index, "a function message needs a string 'name'.");
                string? legacyCallId = pendingLegacyCallIdsByName.TryGetValue(functionName, out Queue<string>? pending) &&
                    pending.TryDequeue(out string? id) ? id : null;
                return item with
                {
                    Kind = ContextItemKind.ToolResult,
                    Role = ContextRole.Tool,
                    ToolCallId = legacyCallId,
                    ToolName = functionName,
                };
            default:
                throw Error(index, $"unknown role '{roleName}' (expected system, developer, user, assistant, tool or function).");
        }
    }

    private static IReadOnlyList<ToolCall> ReadToolCalls(
        JsonElement message,
        int index,
        Dictionary<string, Queue<string>> pendingLegacyCallIdsByName)
    {
        if (message.TryGetProperty("tool_calls", out JsonElement toolCalls) && toolCalls.ValueKind != JsonValueKind.Null)
        {
            if (toolCalls.ValueKind != JsonValueKind.Array)
            {
                throw Error(index, $"'tool_calls' must be an array but is {JsonKinds.Describe(toolCalls)}.");
            }

            List<ToolCall> calls = new(toolCalls.GetArrayLength());
            int callIndex = 0;
            foreach (JsonElement call in toolCalls.EnumerateArray())
            {
                calls.Add(ReadToolCall(call, index, callIndex++));
            }

            return calls;
        }

        if (UsesLegacyFunctionCall(message))
        {
            // Legacy calls carry no id; a synthetic one pairs the call with the function message that answers it.
            (string name, string arguments) = ReadFunction(message.GetProperty("function_call"), index, "function_call");
            string callId = string.Create(CultureInfo.InvariantCulture, $"function_call_{index}");
            if (!pendingLegacyCallIdsByName.TryGetValue(name, out Queue<string>? pending))
            {
                pendingLegacyCallIdsByName[name] = pending = new Queue<string>();
            }

            pending.Enqueue(callId);
            return [new ToolCall(callId, name, arguments)];
        }

        if (message.TryGetProperty("function_call", out JsonElement functionCall) && functionCall.ValueKind != JsonValueKind.Null)
        {
            throw Error(index, $"'function_call' must be an object but is {JsonKinds.Describe(functionCall)}.");
        }

        return [];
    }

    private static ToolCall ReadToolCall(JsonElement call, int index, int callIndex)
    {
        string where = $"tool_calls[{callIndex}]";
        if (call.ValueKind != JsonValueKind.Object)
        {
            throw Error(index, $"'{where}' must be an object but is {JsonKinds.Describe(call)}.");
        }

        string id = GetOptionalString(call, "id", index, where) ?? throw Error(index, $"'{where}' has no string 'id'.");
        string? type = GetOptionalString(call, "type", index, where);
        if (type is not null and not "function")
        {
            throw Error(index, $"'{where}' has type '{type}'; only 'function' tool calls are supported.");
        }

        if (!call.TryGetProperty("function", out JsonElement function) || function.ValueKind != JsonValueKind.Object)
        {
            throw Error(index, $"'{where}' has no 'function' object.");
        }

        (string name, string arguments) = ReadFunction(function, index, $"{where}.function");
        return new ToolCall(id, name, arguments);
    }

    private static (string Name, string Arguments) ReadFunction(JsonElement function, int index, string where)
    {
        string name = GetOptionalString(function, "name", index, where) ?? throw Error(index, $"'{where}' has no string 'name'.");

        // The API sends arguments as a JSON-encoded string; an absent value means no arguments.
        string arguments = GetOptionalString(function, "arguments", index, where) ?? string.Empty;
        return (name, arguments);
    }

    private static string? GetOptionalString(JsonElement obj, string propertyName, int index, string? where = null)
    {
        if (!obj.TryGetProperty(propertyName, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : throw Error(index, $"'{(where is null ? propertyName : where + "." + propertyName)}' must be a string but is {JsonKinds.Describe(value)}.");
    }

    private static FormatException Error(int index, string problem) =>
        new(string.Create(CultureInfo.InvariantCulture, $"Message {index}: {problem}"));
}
