using System.Buffers.Binary;
using System.Text.Json;
using static TorchSharp.torch;

namespace ContextPress.Torch.Safetensors;

/// <summary>
/// Writes tensors and a <c>__metadata__</c> string map as one safetensors file (u64 little-endian header length, JSON
/// header padded with spaces to a multiple of 8 bytes, then the tensors' bytes back to back in the order given).
/// </summary>
public static class SafetensorsWriter
{
    /// <summary>Writes <paramref name="tensors"/> to <paramref name="path"/>, replacing the file atomically (written beside it, then moved).</summary>
    /// <param name="path">The file to write.</param>
    /// <param name="tensors">Name and tensor pairs, in file order; any device, any layout (copied to contiguous CPU memory one at a time).</param>
    /// <param name="metadata">The <c>__metadata__</c> map, or null for none.</param>
    /// <exception cref="ArgumentException">A duplicate or empty name, the reserved name <c>__metadata__</c>, or a dtype safetensors cannot hold.</exception>
    public static void Write(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var temporary = path + ".tmp";
        try
        {
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1 << 20))
            {
                Write(stream, tensors, metadata);
            }
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>Writes <paramref name="tensors"/> in safetensors format to <paramref name="stream"/>.</summary>
    /// <param name="stream">A writable stream, left open.</param>
    /// <param name="tensors">Name and tensor pairs, in file order; any device, any layout.</param>
    /// <param name="metadata">The <c>__metadata__</c> map, or null for none.</param>
    /// <exception cref="ArgumentException">A duplicate or empty name, the reserved name <c>__metadata__</c>, or a dtype safetensors cannot hold.</exception>
    public static void Write(Stream stream, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(tensors);
        var entries = tensors.ToList();
        var header = BuildHeader(entries, metadata);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
        stream.Write(length);
        stream.Write(header);
        foreach (var (_, tensor) in entries)
        {
            using var scope = NewDisposeScope();
            var cpu = tensor.detach().to(CPU).contiguous();
            if (cpu.NumberOfElements == 0)
            {
                continue;
            }
            var bytes = cpu.NumberOfElements * cpu.ElementSize;
            if (bytes <= int.MaxValue)
            {
                stream.Write(cpu.bytes);
            }
            else
            {
                cpu.WriteBytesToStream(stream, 1 << 20);
            }
        }
        stream.Flush();
    }

    /// <summary>The safetensors dtype string for a TorchSharp scalar type.</summary>
    /// <exception cref="ArgumentException">The type has no safetensors equivalent here (complex, quantized types).</exception>
    public static string DTypeName(ScalarType dtype) => dtype switch
    {
        ScalarType.Float64 => "F64",
        ScalarType.Float32 => "F32",
        ScalarType.Float16 => "F16",
        ScalarType.BFloat16 => "BF16",
        ScalarType.Int64 => "I64",
        ScalarType.Int32 => "I32",
        ScalarType.Int16 => "I16",
        ScalarType.Int8 => "I8",
        ScalarType.Byte => "U8",
        ScalarType.Bool => "BOOL",
        _ => throw new ArgumentException($"dtype {dtype} cannot be written to safetensors (F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL).", nameof(dtype)),
    };

    private static byte[] BuildHeader(List<KeyValuePair<string, Tensor>> entries, IReadOnlyDictionary<string, string>? metadata)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject("__metadata__");
                foreach (var (key, value) in metadata)
                {
                    json.WriteString(key, value);
                }
                json.WriteEndObject();
            }
            var names = new HashSet<string>(StringComparer.Ordinal);
            long offset = 0;
            foreach (var (name, tensor) in entries)
            {
                ArgumentNullException.ThrowIfNull(tensor, name);
                if (string.IsNullOrEmpty(name) || name == "__metadata__")
                {
                    throw new ArgumentException($"'{name}' is not a valid tensor name.", nameof(entries));
                }
                if (!names.Add(name))
                {
                    throw new ArgumentException($"Tensor '{name}' is given twice.", nameof(entries));
                }
                var bytes = tensor.NumberOfElements * tensor.ElementSize;
                json.WriteStartObject(name);
                json.WriteString("dtype", DTypeName(tensor.dtype));
                json.WriteStartArray("shape");
                foreach (var d in tensor.shape)
                {
                    json.WriteNumberValue(d);
                }
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + bytes);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += bytes;
            }
            json.WriteEndObject();
        }
        // Pad with spaces so the data starts 8-byte aligned (the format's recommendation; readers trim the spaces).
        var length = (int)buffer.Length;
        var padded = (length + 7) / 8 * 8;
        var header = new byte[padded];
        buffer.GetBuffer().AsSpan(0, length).CopyTo(header);
        header.AsSpan(length).Fill((byte)' ');
        return header;
    }
}
