using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace ContextPress.Context;

/// <summary>JSON settings shared by the context adapters.</summary>
internal static class ContextJson
{
    /// <summary>
    /// Relaxed escaping keeps CJK, emoji and RTL text readable instead of <c>\uXXXX</c> escapes, which also keeps token
    /// counts of written text close to what the model sees. The payload goes to an API, never into HTML.
    /// </summary>
    public static JavaScriptEncoder Encoder => JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    /// <summary>Writer options for messages written by the adapters.</summary>
    public static JsonWriterOptions WriterOptions(bool indented) => new() { Encoder = Encoder, Indented = indented };

    /// <summary>
    /// Serializer options for tool arguments and results: the Microsoft.Extensions.AI defaults (which know its types),
    /// compact and with relaxed escaping, as the chat clients send them.
    /// </summary>
    public static JsonSerializerOptions SerializerOptions { get; } = CreateSerializerOptions();

    private static JsonSerializerOptions CreateSerializerOptions()
    {
        JsonSerializerOptions options = new(AIJsonUtilities.DefaultOptions)
        {
            Encoder = Encoder,
            WriteIndented = false,
        };
        options.MakeReadOnly();
        return options;
    }
}
