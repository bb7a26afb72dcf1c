using System.Text.Json;

namespace ContextPress.Context;

/// <summary>Writes <see cref="ContextItem"/>s as OpenAI chat-completions messages.</summary>
internal static class OpenAIChatMessageWriter
{
    /// <summary>Writes one message: over its original when the item has one, otherwise from the item's fields.</summary>
    public static void WriteMessage(Utf8JsonWriter writer, ContextItem item)
    {
        if (item.Source is JsonElement { ValueKind: JsonValueKind.Object } original)
        {
            WriteOverOriginal(writer, item, original);
        }
        else
        {
            WriteFromFields(writer, item);
        }
    }

    private static void WriteOverOriginal(Utf8JsonWriter writer, ContextItem item, JsonElement original)
    {
        bool textChanged = !string.Equals(item.Text, OpenAIChatMessageReader.ReadText(original, index: 0), StringComparison.Ordinal);
        bool legacy = OpenAIChatMessageReader.UsesLegacyFunctionCall(original);
        bool wroteContent = false;
        bool wroteCalls = false;

        writer.WriteStartObject();
        foreach (JsonProperty property in original.EnumerateObject())
        {
            if (property.NameEquals("content"))
            {
                wroteContent = true;
                if (textChanged)
                {
                    writer.WritePropertyName(property.Name);
                    WriteChangedContent(writer, property.Value, item.Text);
                }
                else
                {
                    ReadableJsonWriter.WriteProperty(writer, property);
                }
            }
            else if (property.NameEquals("tool_calls") && !legacy)
            {
                wroteCalls = true;
                if (item.ToolCalls.Count > 0)
                {
                    writer.WritePropertyName(property.Name);
                    WriteToolCalls(writer, item.ToolCalls, property.Value);
                }
                else if (property.Value.ValueKind != JsonValueKind.Array || property.Value.GetArrayLength() == 0)
                {
                    // Keep "tool_calls": null or [] as sent; only drop calls the item no longer has.
                    ReadableJsonWriter.WriteProperty(writer, property);
                }
            }
            else if (property.NameEquals("function_call") && legacy)
            {
                wroteCalls = true;
                if (item.ToolCalls.Count > 0)
                {
                    writer.WritePropertyName(property.Name);
                    WriteFunction(writer, item.ToolCalls[0], property.Value);
                }
            }
            else
            {
                ReadableJsonWriter.WriteProperty(writer, property);
            }
        }

        if (!wroteContent && item.Text.Length > 0)
        {
            ReadableJsonWriter.WriteString(writer, "content", item.Text);
        }

        if (!wroteCalls && item.ToolCalls.Count > 0)
        {
            writer.WritePropertyName("tool_calls");
            WriteToolCalls(writer, item.ToolCalls, originalCalls: default);
        }

        writer.WriteEndObject();
    }

    /// <summary>
    /// Writes new text into the shape of the original content: a string stays a string; in a parts array the text
    /// parts collapse into one part at the first text part's place, and image, audio and other parts stay put.
    /// </summary>
    private static void WriteChangedContent(Utf8JsonWriter writer, JsonElement originalContent, string text)
    {
        if (originalContent.ValueKind != JsonValueKind.Array)
        {
            ReadableJsonWriter.WriteStringValue(writer, text);
            return;
        }

        bool hasTextPart = false;
        int otherParts = 0;
        foreach (JsonElement part in originalContent.EnumerateArray())
        {
            if (OpenAIChatMessageReader.IsTextPart(part))
            {
                hasTextPart = true;
            }
            else
            {
                otherParts++;
            }
        }

        if (otherParts == 0 && text.Length == 0)
        {
            // An empty parts array is rejected by the API; an empty string is not.
            ReadableJsonWriter.WriteStringValue(writer, string.Empty);
            return;
        }

        writer.WriteStartArray();
        if (!hasTextPart && text.Length > 0)
        {
            WriteTextPart(writer, text, originalPart: default);
        }

        bool wroteText = false;
        foreach (JsonElement part in originalContent.EnumerateArray())
        {
            if (!OpenAIChatMessageReader.IsTextPart(part))
            {
                ReadableJsonWriter.WriteElement(writer, part);
            }
            else if (!wroteText)
            {
                wroteText = true;
                if (text.Length > 0)
                {
                    // Keep the part's other fields, such as cache_control.
                    WriteTextPart(writer, text, part);
                }
            }
        }

        writer.WriteEndArray();
    }

    private static void WriteTextPart(Utf8JsonWriter writer, string text, JsonElement originalPart)
    {
        writer.WriteStartObject();
        if (originalPart.ValueKind == JsonValueKind.Object)
        {
            foreach (JsonProperty property in originalPart.EnumerateObject())
            {
                if (property.NameEquals("text"))
                {
                    ReadableJsonWriter.WriteString(writer, property.Name, text);
                }
                else
                {
                    ReadableJsonWriter.WriteProperty(writer, property);
                }
            }
        }
        else
        {
            ReadableJsonWriter.WriteString(writer, "type", "text");
            ReadableJsonWriter.WriteString(writer, "text", text);
        }

        writer.WriteEndObject();
    }

    /// <summary>Writes the item's calls, each over the original call with the same id so that extra fields survive.</summary>
    private static void WriteToolCalls(Utf8JsonWriter writer, IReadOnlyList<ToolCall> calls, JsonElement originalCalls)
    {
        writer.WriteStartArray();
        foreach (ToolCall call in calls)
        {
            JsonElement originalCall = FindCall(originalCalls, call.CallId);
            writer.WriteStartObject();
            if (originalCall.ValueKind == JsonValueKind.Object)
            {
                bool wroteId = false;
                bool wroteFunction = false;
                foreach (JsonProperty property in originalCall.EnumerateObject())
                {
                    if (property.NameEquals("id"))
                    {
                        wroteId = true;
                        ReadableJsonWriter.WriteString(writer, property.Name, call.CallId);
                    }
                    else if (property.NameEquals("function"))
                    {
                        wroteFunction = true;
                        writer.WritePropertyName(property.Name);
                        WriteFunction(writer, call, property.Value);
                    }
                    else
                    {
                        ReadableJsonWriter.WriteProperty(writer, property);
                    }
                }

                if (!wroteId)
                {
                    ReadableJsonWriter.WriteString(writer, "id", call.CallId);
                }

                if (!wroteFunction)
                {
                    writer.WritePropertyName("function");
                    WriteFunction(writer, call, originalFunction: default);
                }
            }
            else
            {
                ReadableJsonWriter.WriteString(writer, "id", call.CallId);
                ReadableJsonWriter.WriteString(writer, "type", "function");
                writer.WritePropertyName("function");
                WriteFunction(writer, call, originalFunction: default);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private static void WriteFunction(Utf8JsonWriter writer, ToolCall call, JsonElement originalFunction)
    {
        bool wroteName = false;
        bool wroteArguments = false;
        writer.WriteStartObject();
        if (originalFunction.ValueKind == JsonValueKind.Object)
        {
            foreach (JsonProperty property in originalFunction.EnumerateObject())
            {
                if (property.NameEquals("name"))
                {
                    wroteName = true;
                    ReadableJsonWriter.WriteString(writer, property.Name, call.Name);
                }
                else if (property.NameEquals("arguments"))
                {
                    wroteArguments = true;
                    ReadableJsonWriter.WriteString(writer, property.Name, call.ArgumentsJson);
                }
                else
                {
                    ReadableJsonWriter.WriteProperty(writer, property);
                }
            }
        }

        if (!wroteName)
        {
            ReadableJsonWriter.WriteString(writer, "name", call.Name);
        }

        if (!wroteArguments)
        {
            ReadableJsonWriter.WriteString(writer, "arguments", call.ArgumentsJson);
        }

        writer.WriteEndObject();
    }

    private static JsonElement FindCall(JsonElement originalCalls, string callId)
    {
        if (originalCalls.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement call in originalCalls.EnumerateArray())
            {
                if (call.ValueKind == JsonValueKind.Object &&
                    call.TryGetProperty("id", out JsonElement id) &&
                    id.ValueKind == JsonValueKind.String &&
                    id.ValueEquals(callId))
                {
                    return call;
                }
            }
        }

        return default;
    }

    private static void WriteFromFields(Utf8JsonWriter writer, ContextItem item)
    {
        writer.WriteStartObject();
        ReadableJsonWriter.WriteString(writer, "role", RoleName(item.Role));

        if (item.Kind == ContextItemKind.ToolCall && item.Text.Length == 0)
        {
            // The API expects null content, not "", on an assistant message that only calls tools.
            writer.WriteNull("content");
        }
        else
        {
            ReadableJsonWriter.WriteString(writer, "content", item.Text);
        }

        if (item.AuthorName is not null && item.Role != ContextRole.Tool)
        {
            ReadableJsonWriter.WriteString(writer, "name", item.AuthorName);
        }

        if (item.ToolCalls.Count > 0)
        {
            writer.WritePropertyName("tool_calls");
            WriteToolCalls(writer, item.ToolCalls, originalCalls: default);
        }

        if (item.Role == ContextRole.Tool && item.ToolCallId is not null)
        {
            ReadableJsonWriter.WriteString(writer, "tool_call_id", item.ToolCallId);
        }

        writer.WriteEndObject();
    }

    private static string RoleName(ContextRole role) => role switch
    {
        ContextRole.System => "system",
        ContextRole.Developer => "developer",
        ContextRole.User => "user",
        ContextRole.Assistant => "assistant",
        ContextRole.Tool => "tool",
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, "Unknown context role."),
    };
}
