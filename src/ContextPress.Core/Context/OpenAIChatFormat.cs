using System.Buffers;
using System.Text;
using System.Text.Json;

namespace ContextPress.Context;

/// <summary>
/// Reads and writes the <c>messages</c> array of the OpenAI chat-completions format as <see cref="ContextItem"/>s.
/// </summary>
/// <remarks>
/// <para>
/// Parsed items keep their original message as <see cref="ContextItem.Source"/> (a cloned <see cref="JsonElement"/>),
/// so writing them back preserves every property this model does not represent (<c>refusal</c>, vendor fields,
/// image and audio parts, ...). Only the text content and the tool calls are rewritten from the item; other fields,
/// such as <c>role</c>, <c>name</c> and <c>tool_call_id</c>, come from the original message.
/// </para>
/// <para>
/// The legacy <c>function</c> role and the assistant <c>function_call</c> field are supported: the call gets the
/// synthetic id <c>function_call_{messageIndex}</c> and the next <c>function</c> message of the same name answers it.
/// </para>
/// </remarks>
public static class OpenAIChatFormat
{
    /// <summary>Parses a JSON array of messages, or an object (such as a request body) with a <c>messages</c> array.</summary>
    /// <param name="json">The JSON text.</param>
    /// <returns>One item per message, in order.</returns>
    /// <exception cref="FormatException">The text is not valid JSON or a message is malformed; the message names which and why.</exception>
    public static IReadOnlyList<ContextItem> Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            throw new FormatException($"The chat messages are not valid JSON: {ex.Message}", ex);
        }

        using (document)
        {
            // The reader clones every message it keeps, so disposing the document here is safe.
            return OpenAIChatMessageReader.ReadMessages(document.RootElement);
        }
    }

    /// <summary>Parses a JSON array of messages, or an object (such as a request body) with a <c>messages</c> array.</summary>
    /// <param name="root">The array or object.</param>
    /// <returns>One item per message.</returns>
    /// <exception cref="FormatException">A message is malformed; the message names which and why.</exception>
    public static IReadOnlyList<ContextItem> Parse(JsonElement root) => OpenAIChatMessageReader.ReadMessages(root);

    /// <summary>Writes <paramref name="items"/> as a JSON array of chat messages.</summary>
    /// <param name="items">The items, typically parsed by <see cref="Parse(string)"/> and then compressed.</param>
    /// <param name="indented">Whether to indent the JSON.</param>
    /// <returns>The messages array as JSON text, with non-ASCII text left unescaped.</returns>
    public static string ToJson(IReadOnlyList<ContextItem> items, bool indented = false)
    {
        ArgumentNullException.ThrowIfNull(items);

        ArrayBufferWriter<byte> buffer = new();
        using (Utf8JsonWriter writer = new(buffer, ContextJson.WriterOptions(indented)))
        {
            Write(writer, items);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Writes <paramref name="items"/> as a JSON array of chat messages.</summary>
    /// <param name="writer">
    /// The destination. String values are written with only the escapes JSON requires, whatever the writer's encoder,
    /// so CJK, emoji and RTL text stay readable.
    /// </param>
    /// <param name="items">The items to write.</param>
    public static void Write(Utf8JsonWriter writer, IReadOnlyList<ContextItem> items)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(items);

        writer.WriteStartArray();
        foreach (ContextItem item in items)
        {
            ArgumentNullException.ThrowIfNull(item, nameof(items));
            OpenAIChatMessageWriter.WriteMessage(writer, item);
        }

        writer.WriteEndArray();
    }
}
