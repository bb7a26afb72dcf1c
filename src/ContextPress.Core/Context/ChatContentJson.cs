using System.Text.Json;
using Microsoft.Extensions.AI;

namespace ContextPress.Context;

/// <summary>Converts function call arguments and function results to and from the JSON text that context items hold.</summary>
internal static class ChatContentJson
{
    /// <summary>Serializes call arguments; calls without arguments give <c>{}</c>, as the OpenAI wire format does.</summary>
    public static string ArgumentsToJson(IDictionary<string, object?>? arguments) =>
        arguments is null ? "{}" : JsonSerializer.Serialize(arguments, ContextJson.SerializerOptions);

    /// <summary>
    /// Parses arguments JSON into the dictionary a <see cref="FunctionCallContent"/> holds, with
    /// <see cref="JsonElement"/> values as Microsoft.Extensions.AI's own clients produce.
    /// </summary>
    public static Dictionary<string, object?>? ParseArguments(ToolCall call)
    {
        if (string.IsNullOrWhiteSpace(call.ArgumentsJson))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, object?>>(call.ArgumentsJson, ContextJson.SerializerOptions);
        }
        catch (JsonException ex)
        {
            throw new FormatException(
                $"The arguments of tool call '{call.CallId}' ({call.Name}) are not a JSON object: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Gets a function result as text the way the chat clients send it: strings as they are, anything else as JSON.
    /// </summary>
    public static string ResultToText(object? result)
    {
        switch (result)
        {
            case null:
                return string.Empty;
            case string text:
                return text;
            case JsonElement { ValueKind: JsonValueKind.String } element:
                // AIFunctionFactory returns a function's string result as a JSON string element; its text is the
                // result (often JSON itself), which must be compressed as what it is, not as a quoted literal.
                return element.GetString() ?? string.Empty;
            default:
                try
                {
                    return JsonSerializer.Serialize(result, ContextJson.SerializerOptions.GetTypeInfo(typeof(object)));
                }
                catch (NotSupportedException)
                {
                    // Types the serializer cannot handle still have a readable form.
                    return result.ToString() ?? string.Empty;
                }
        }
    }
}
