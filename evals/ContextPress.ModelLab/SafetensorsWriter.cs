using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using static TorchSharp.torch;

namespace ContextPress.ModelLab;

/// <summary>
/// Minimal safetensors writer for fp32 tensors (header JSON, 8-byte aligned, then little-endian data in header order).
/// Private to ModelLab until the shared writer in ContextPress.Torch lands.
/// </summary>
internal static class SafetensorsWriter
{
    public static void Write(string path, IReadOnlyList<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(tensors);
        var header = new Dictionary<string, object>(StringComparer.Ordinal);
        if (metadata is { Count: > 0 })
        {
            header["__metadata__"] = metadata;
        }
        var blobs = new List<byte[]>();
        long offset = 0;
        foreach (var (name, tensor) in tensors)
        {
            if (tensor.dtype != ScalarType.Float32)
            {
                throw new ArgumentException($"Tensor '{name}' is {tensor.dtype}; this writer takes Float32 only.", nameof(tensors));
            }
            var data = MemoryMarshal.AsBytes(tensor.cpu().contiguous().data<float>().ToArray().AsSpan()).ToArray();
            header[name] = new { dtype = "F32", shape = tensor.shape, data_offsets = new[] { offset, offset + data.Length } };
            blobs.Add(data);
            offset += data.Length;
        }
        var json = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(header));
        var padded = (json.Length + 7) / 8 * 8;
        using var stream = File.Create(path);
        stream.Write(BitConverter.GetBytes((ulong)padded));
        stream.Write(json);
        stream.Write(Enumerable.Repeat((byte)' ', padded - json.Length).ToArray());
        foreach (var blob in blobs)
        {
            stream.Write(blob);
        }
    }
}
