using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ContextPress.Context;

/// <summary>
/// Writes JSON strings without escaping non-ASCII text, emoji included.
/// </summary>
/// <remarks>
/// Even <see cref="System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping"/> escapes characters outside
/// the Basic Multilingual Plane, so an emoji would be written as <c>\uD83D\uDE80</c>: unreadable, and more tokens than
/// the text the model actually sees. Strings are therefore escaped here (only what JSON requires) and written raw.
/// </remarks>
internal static class ReadableJsonWriter
{
    /// <summary>Writes a string property.</summary>
    public static void WriteString(Utf8JsonWriter writer, string propertyName, string value)
    {
        writer.WritePropertyName(propertyName);
        WriteStringValue(writer, value);
    }

    /// <summary>Writes a string value.</summary>
    public static void WriteStringValue(Utf8JsonWriter writer, string value) =>
        writer.WriteRawValue(Quote(value), skipInputValidation: true);

    /// <summary>Writes a property with an element read from the input, keeping its meaning and number spellings.</summary>
    public static void WriteProperty(Utf8JsonWriter writer, JsonProperty property)
    {
        writer.WritePropertyName(property.Name);
        WriteElement(writer, property.Value);
    }

    /// <summary>Writes an element read from the input, keeping its meaning and number spellings.</summary>
    public static void WriteElement(Utf8JsonWriter writer, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (JsonProperty property in element.EnumerateObject())
                {
                    WriteProperty(writer, property);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (JsonElement item in element.EnumerateArray())
                {
                    WriteElement(writer, item);
                }

                writer.WriteEndArray();
                break;
            case JsonValueKind.String:
                WriteStringValue(writer, element.GetString()!);
                break;
            default:
                // Numbers, booleans and null: the raw text keeps spellings such as 1.50 or 1e3.
                element.WriteTo(writer);
                break;
        }
    }

    /// <summary>Quotes <paramref name="value"/> as a JSON string, escaping only quotes, backslashes and control characters.</summary>
    internal static string Quote(string value)
    {
        StringBuilder builder = new(value.Length + 2);
        builder.Append('"');
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                case '\b': builder.Append("\\b"); break;
                case '\f': builder.Append("\\f"); break;
                default:
                    if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
                    {
                        builder.Append(c).Append(value[++i]);
                    }
                    else if (char.IsSurrogate(c))
                    {
                        // A lone surrogate has no UTF-8 form and JSON readers reject its escape; UTF-8 encoders substitute U+FFFD too.
                        builder.Append('\uFFFD');
                    }
                    else if (c < ' ')
                    {
                        builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        return builder.Append('"').ToString();
    }
}
