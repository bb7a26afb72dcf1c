using System.Buffers.Binary;
using System.Text.Json;

namespace ContextPress.Torch.Safetensors;

/// <summary>Parses and validates the JSON header of a safetensors file.</summary>
public static class SafetensorsHeader
{
    /// <summary>Largest header accepted (the format's own readers use 100 MB).</summary>
    public const long MaxHeaderLength = 100_000_000;

    /// <summary>Reads the 8-byte little-endian header length that starts every safetensors file.</summary>
    /// <exception cref="InvalidDataException">The prefix is too short or names an impossible length.</exception>
    public static long ReadLength(ReadOnlySpan<byte> prefix, long fileLength)
    {
        if (prefix.Length < 8 || fileLength < 8)
        {
            throw new InvalidDataException("Not a safetensors file: shorter than its 8-byte header length.");
        }
        var length = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (length > MaxHeaderLength || (long)length > fileLength - 8)
        {
            throw new InvalidDataException($"Not a safetensors file: header length {length} does not fit a file of {fileLength} bytes.");
        }
        return (long)length;
    }

    /// <summary>Parses the header JSON and checks every entry against the size of the data that follows it.</summary>
    /// <param name="json">UTF-8 JSON of the header.</param>
    /// <param name="dataLength">Number of bytes after the header.</param>
    /// <param name="metadata">The <c>__metadata__</c> string map (empty when absent).</param>
    /// <returns>The tensors, keyed by name, in header order.</returns>
    /// <exception cref="InvalidDataException">The header is malformed, names an unsupported dtype, or an entry's offsets do not match its shape.</exception>
    public static IReadOnlyDictionary<string, SafetensorsTensorInfo> Parse(ReadOnlySpan<byte> json, long dataLength, out IReadOnlyDictionary<string, string> metadata)
    {
        var tensors = new Dictionary<string, SafetensorsTensorInfo>(StringComparer.Ordinal);
        var meta = new Dictionary<string, string>(StringComparer.Ordinal);
        metadata = meta;
        JsonDocument document;
        try
        {
            var reader = new Utf8JsonReader(json.TrimEnd((byte)' '));
            document = JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Safetensors header is not valid JSON: {e.Message}", e);
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException("Safetensors header is not a JSON object.");
            }
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Name == "__metadata__")
                {
                    foreach (var m in property.Value.EnumerateObject())
                    {
                        meta[m.Name] = m.Value.ValueKind == JsonValueKind.String ? m.Value.GetString()! : m.Value.GetRawText();
                    }
                    continue;
                }
                tensors.Add(property.Name, ParseEntry(property.Name, property.Value, dataLength));
            }
        }
        return tensors;
    }

    private static SafetensorsTensorInfo ParseEntry(string name, JsonElement entry, long dataLength)
    {
        if (entry.ValueKind != JsonValueKind.Object
            || !entry.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String
            || !entry.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array
            || !entry.TryGetProperty("data_offsets", out var offsetsElement) || offsetsElement.ValueKind != JsonValueKind.Array
            || offsetsElement.GetArrayLength() != 2)
        {
            throw new InvalidDataException($"Safetensors entry '{name}' needs dtype, shape and two data_offsets.");
        }
        var dtypeText = dtypeElement.GetString()!;
        if (!SafetensorsDTypeExtensions.TryParse(dtypeText, out var dtype))
        {
            throw new InvalidDataException($"Safetensors entry '{name}' has dtype {dtypeText}, which is not supported (F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL).");
        }
        var shape = new long[shapeElement.GetArrayLength()];
        var i = 0;
        foreach (var d in shapeElement.EnumerateArray())
        {
            if (!d.TryGetInt64(out var dim) || dim < 0)
            {
                throw new InvalidDataException($"Safetensors entry '{name}' has an invalid dimension {d.GetRawText()}.");
            }
            shape[i++] = dim;
        }
        if (!offsetsElement[0].TryGetInt64(out var begin) || !offsetsElement[1].TryGetInt64(out var end)
            || begin < 0 || end < begin || end > dataLength)
        {
            throw new InvalidDataException($"Safetensors entry '{name}' has data_offsets {offsetsElement.GetRawText()} outside the {dataLength} data bytes.");
        }
        var info = new SafetensorsTensorInfo(name, dtype, shape, begin, end);
        if (info.ElementCount * dtype.ElementSize() != info.ByteLength)
        {
            throw new InvalidDataException(
                $"Safetensors entry '{name}' holds {info.ByteLength} bytes, but {dtypeText}[{string.Join(", ", shape)}] needs {info.ElementCount * dtype.ElementSize()}.");
        }
        return info;
    }
}
