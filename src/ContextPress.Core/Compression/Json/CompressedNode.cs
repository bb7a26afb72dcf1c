using System.Text.Json;
using ContextPress.Context;

namespace ContextPress.Compression.Json;

/// <summary>A node of the document being compressed: a fresh copy per level, written once at the end.</summary>
internal abstract class CompressedNode
{
    /// <summary>Gets a value indicating whether the node is an empty string, array or object (dropped as a property value).</summary>
    public abstract bool IsEmpty { get; }

    /// <summary>Writes the node.</summary>
    public abstract void WriteTo(Utf8JsonWriter writer);
}

/// <summary>An object; properties keep their order (and duplicates).</summary>
internal sealed class CompressedObject : CompressedNode
{
    public List<KeyValuePair<string, CompressedNode>> Properties { get; } = [];

    public override bool IsEmpty => Properties.Count == 0;

    public override void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        foreach (KeyValuePair<string, CompressedNode> property in Properties)
        {
            writer.WritePropertyName(property.Key);
            property.Value.WriteTo(writer);
        }

        writer.WriteEndObject();
    }
}

/// <summary>An array.</summary>
internal sealed class CompressedArray : CompressedNode
{
    public CompressedArray(int capacity) => Items = new List<CompressedNode>(capacity);

    public List<CompressedNode> Items { get; }

    public override bool IsEmpty => Items.Count == 0;

    public override void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartArray();
        foreach (CompressedNode item in Items)
        {
            item.WriteTo(writer);
        }

        writer.WriteEndArray();
    }
}

/// <summary>A string; written with only the escapes JSON requires, so non-ASCII text and emoji stay readable.</summary>
internal sealed class CompressedString(string value) : CompressedNode
{
    public string Value { get; set; } = value;

    public override bool IsEmpty => Value.Length == 0;

    public override void WriteTo(Utf8JsonWriter writer) => ReadableJsonWriter.WriteStringValue(writer, Value);
}

/// <summary>A number, boolean or null, or a string that cannot be decoded (lone surrogate escapes), as its original text.</summary>
internal sealed class CompressedRaw(string json) : CompressedNode
{
    public override bool IsEmpty => false;

    public override void WriteTo(Utf8JsonWriter writer) => writer.WriteRawValue(json, skipInputValidation: true);
}
