using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.SemanticKernel;

namespace ContextPress.SemanticKernel;

/// <summary>Serializes function arguments and results the way Semantic Kernel sends them to the model.</summary>
internal static class SkJson
{
    // SK serializes non-string results with the relaxed encoder (FunctionCallsProcessor.ProcessFunctionResult); so do we, so counts match.
    private static readonly JsonSerializerOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string ResultToText(object? result) => result switch
    {
        null => string.Empty,
        string text => text,
        JsonElement { ValueKind: JsonValueKind.String } element => element.GetString() ?? string.Empty,
        _ => SerializeOrDescribe(result),
    };

    public static string ArgumentsToJson(KernelArguments? arguments)
    {
        if (arguments is null || arguments.Count == 0)
        {
            return "{}";
        }

        Dictionary<string, object?> values = new(StringComparer.Ordinal);
        foreach (KeyValuePair<string, object?> argument in arguments)
        {
            values[argument.Key] = argument.Value;
        }

        return SerializeOrDescribe(values);
    }

    private static string SerializeOrDescribe(object value)
    {
        try
        {
            return JsonSerializer.Serialize(value, value.GetType(), Options);
        }
        catch (NotSupportedException)
        {
            // Types the serializer cannot handle still have a readable form.
            return value.ToString() ?? string.Empty;
        }
    }
}
