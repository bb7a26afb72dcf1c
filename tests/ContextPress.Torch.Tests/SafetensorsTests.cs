using System.Buffers.Binary;
using System.Text;
using ContextPress.Torch.Checkpoints;
using ContextPress.Torch.Safetensors;
using TorchSharp;
using static TorchSharp.torch;

namespace ContextPress.Torch.Tests;

public sealed class SafetensorsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cp-st-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Writes a safetensors file the way the format specifies: u64 LE header length, JSON header, data.</summary>
    internal static void Write(string path, IReadOnlyList<(string Name, string DType, long[] Shape, byte[] Data)> tensors, string? metadataJson = null)
    {
        var entries = new List<string>();
        if (metadataJson is not null)
        {
            entries.Add($"\"__metadata__\":{metadataJson}");
        }
        long offset = 0;
        foreach (var t in tensors)
        {
            entries.Add($"\"{t.Name}\":{{\"dtype\":\"{t.DType}\",\"shape\":[{string.Join(",", t.Shape)}],\"data_offsets\":[{offset},{offset + t.Data.Length}]}}");
            offset += t.Data.Length;
        }
        var header = Encoding.UTF8.GetBytes("{" + string.Join(",", entries) + "}");
        var padded = (header.Length + 7) / 8 * 8;
        using var stream = File.Create(path);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)padded);
        stream.Write(length);
        stream.Write(header);
        for (var i = header.Length; i < padded; i++)
        {
            stream.WriteByte((byte)' ');
        }
        foreach (var t in tensors)
        {
            stream.Write(t.Data);
        }
    }

    private static byte[] Bytes<T>(params T[] values) where T : unmanaged =>
        System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    private static ushort Bf16(float f) => (ushort)(BitConverter.SingleToUInt32Bits(f) >> 16);

    [Fact]
    public void ReadsF32F16Bf16AndI64WithShapesAndMetadata()
    {
        var path = Path.Combine(_dir, "m.safetensors");
        Write(path,
        [
            ("a.f32", "F32", [2, 3], Bytes(1f, -2f, 3.5f, 4f, 5f, 6.25f)),
            ("b.f16", "F16", [3], Bytes((Half)0.5f, (Half)(-1.5f), (Half)65504f)),
            ("c.bf16", "BF16", [2, 1], Bytes(Bf16(1f), Bf16(-3.140625f))),
            ("d.i64", "I64", [2], Bytes(42L, -7_000_000_000L)),
            ("e.empty", "F32", [0, 4], []),
        ], metadataJson: "{\"format\":\"pt\"}");

        using var scope = NewDisposeScope();
        using var file = SafetensorsFile.Open(path);
        Assert.Equal("pt", file.Metadata["format"]);
        Assert.Equal(5, file.Tensors.Count);
        Assert.Equal(SafetensorsDType.BF16, file.Tensors["c.bf16"].DType);

        var a = file.ReadTensor("a.f32");
        Assert.Equal(ScalarType.Float32, a.dtype);
        Assert.Equal(new long[] { 2, 3 }, a.shape);
        Assert.Equal(new[] { 1f, -2f, 3.5f, 4f, 5f, 6.25f }, a.data<float>().ToArray());

        var b = file.ReadTensor("b.f16");
        Assert.Equal(ScalarType.Float16, b.dtype);
        Assert.Equal(new[] { 0.5f, -1.5f, 65504f }, b.to_type(ScalarType.Float32).data<float>().ToArray());

        var c = file.ReadTensor("c.bf16", ScalarType.Float32);
        Assert.Equal(ScalarType.Float32, c.dtype);
        Assert.Equal(new long[] { 2, 1 }, c.shape);
        Assert.Equal(new[] { 1f, -3.140625f }, c.data<float>().ToArray());

        var d = file.ReadTensor("d.i64");
        Assert.Equal(new[] { 42L, -7_000_000_000L }, d.data<long>().ToArray());

        Assert.Equal(0, file.ReadTensor("e.empty").NumberOfElements);
        Assert.Equal(Bytes(1f, -2f, 3.5f, 4f, 5f, 6.25f), file.GetBytes("a.f32").ToArray());
    }

    [Fact]
    public void TensorsOutliveTheMapping()
    {
        var path = Path.Combine(_dir, "m.safetensors");
        Write(path, [("w", "F32", [2], Bytes(7f, 8f))]);
        using var scope = NewDisposeScope();
        Tensor w;
        using (var file = SafetensorsFile.Open(path))
        {
            w = file.ReadTensor("w");
        }
        Assert.Equal(new[] { 7f, 8f }, w.data<float>().ToArray());
    }

    [Fact]
    public void RejectsMalformedFiles()
    {
        var tooShort = Path.Combine(_dir, "short.safetensors");
        File.WriteAllBytes(tooShort, [1, 2, 3]);
        Assert.Throws<InvalidDataException>(() => SafetensorsFile.Open(tooShort));

        var badLength = Path.Combine(_dir, "len.safetensors");
        File.WriteAllBytes(badLength, [255, 255, 0, 0, 0, 0, 0, 0, (byte)'{', (byte)'}']);
        Assert.Throws<InvalidDataException>(() => SafetensorsFile.Open(badLength));

        var wrongSize = Path.Combine(_dir, "size.safetensors");
        Write(wrongSize, [("w", "F32", [3], Bytes(1f, 2f))]);
        var e = Assert.Throws<InvalidDataException>(() => SafetensorsFile.Open(wrongSize));
        Assert.Contains("'w'", e.Message);

        var f8 = Path.Combine(_dir, "f8.safetensors");
        Write(f8, [("q", "F8_E4M3", [2], [1, 2])]);
        e = Assert.Throws<InvalidDataException>(() => SafetensorsFile.Open(f8));
        Assert.Contains("F8_E4M3", e.Message);
    }

    [Fact]
    public void ShardedCheckpointFollowsTheIndex()
    {
        Write(Path.Combine(_dir, "model-00001-of-00002.safetensors"), [("x.weight", "F32", [1], Bytes(1f))]);
        Write(Path.Combine(_dir, "model-00002-of-00002.safetensors"), [("y.weight", "F32", [1], Bytes(2f))]);
        File.WriteAllText(Path.Combine(_dir, SafetensorsCheckpoint.IndexFileName),
            "{\"metadata\":{},\"weight_map\":{\"x.weight\":\"model-00001-of-00002.safetensors\",\"y.weight\":\"model-00002-of-00002.safetensors\"}}");
        using var checkpoint = SafetensorsCheckpoint.Open(_dir);
        Assert.Equal(["x.weight", "y.weight"], checkpoint.TensorNames.Order());
        using var scope = NewDisposeScope();
        Assert.Equal(2f, checkpoint.ReadTensor("y.weight").item<float>());
    }

    [Fact]
    public void CheckpointLoaderCopiesAndConverts()
    {
        var path = Path.Combine(_dir, "m.safetensors");
        Write(path, [("weight", "BF16", [2, 3], Bytes(Bf16(1), Bf16(2), Bf16(3), Bf16(4), Bf16(5), Bf16(6))), ("bias", "F32", [2], Bytes(0.5f, -0.5f))]);
        using var linear = nn.Linear(3, 2);
        using var checkpoint = SafetensorsCheckpoint.Open(path);
        var loaded = CheckpointLoader.Load(linear, checkpoint);
        Assert.Equal(2, loaded.Count);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var y = linear.forward(tensor(new float[] { 1, 1, 1 }));
        Assert.Equal(new[] { 6.5f, 14.5f }, y.data<float>().ToArray());
    }

    [Fact]
    public void CheckpointLoaderNamesMissingUnexpectedAndMisShapedTensors()
    {
        var path = Path.Combine(_dir, "m.safetensors");
        Write(path, [("weight", "F32", [3, 2], new byte[24]), ("extra.weight", "F32", [1], new byte[4])]);
        using var linear = nn.Linear(3, 2);
        var before = linear.weight!.data<float>().ToArray();
        using var checkpoint = SafetensorsCheckpoint.Open(path);
        var e = Assert.Throws<CheckpointMismatchException>(() => CheckpointLoader.Load(linear, checkpoint));
        Assert.Equal(["bias"], e.Missing);
        Assert.Equal(["extra.weight"], e.Unexpected);
        Assert.Single(e.ShapeMismatches);
        Assert.Contains("bias", e.Message);
        Assert.Contains("extra.weight", e.Message);
        Assert.Contains("weight: checkpoint [3, 2] vs module [2, 3]", e.Message);
        Assert.Equal(before, linear.weight!.data<float>().ToArray());

        // Mapping and optional keys make the same checkpoint fit.
        Write(path = Path.Combine(_dir, "n.safetensors"), [("model.w", "F32", [2, 3], new byte[24]), ("rotary.inv_freq", "F32", [1], new byte[4])]);
        using var checkpoint2 = SafetensorsCheckpoint.Open(path);
        var loaded = CheckpointLoader.Load(linear, checkpoint2, new CheckpointLoadOptions
        {
            MapName = n => n.EndsWith("inv_freq", StringComparison.Ordinal) ? null : n.Replace("model.w", "weight", StringComparison.Ordinal),
            OptionalModuleKeys = ["bias"],
        });
        Assert.Equal(["weight"], loaded);
        Assert.All(linear.weight!.data<float>().ToArray(), v => Assert.Equal(0f, v));
    }
}
