using System.Text.Json;

namespace ContextPress.Context;

/// <summary>Names JSON value kinds for error messages.</summary>
internal static class JsonKinds
{
    /// <summary>Describes a JSON value's kind (<c>a string</c>, <c>an object</c>, ...).</summary>
    public static string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "undefined",
    };
}
