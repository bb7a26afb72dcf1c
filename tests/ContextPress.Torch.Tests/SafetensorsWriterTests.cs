using ContextPress.Torch.Checkpoints;
using ContextPress.Torch.Safetensors;
using TorchSharp;
using static TorchSharp.torch;

namespace ContextPress.Torch.Tests;

public sealed class SafetensorsWriterTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cp-stw-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void EveryDTypeRoundTripsThroughTheReaderWithShapesAndMetadata()
    {
        using var scope = NewDisposeScope();
        var g = new Generator(3);
        var tensors = new Dictionary<string, Tensor>
        {
            ["a.f32"] = randn([3, 5], generator: g),
            ["b.f16"] = randn([7], generator: g).to_type(ScalarType.Float16),
            ["c.bf16"] = randn([2, 3, 2], generator: g).to_type(ScalarType.BFloat16),
            ["d.i64"] = tensor(new long[] { -5, 0, long.MaxValue }),
            ["e.u8"] = randint(0, 256, [4, 3], dtype: ScalarType.Byte, generator: g),
            ["f.i8"] = tensor(new sbyte[] { -128, 1, 127 }),
            ["g.i32"] = tensor(new[] { int.MinValue, 7, int.MaxValue }).reshape(3, 1),
            ["h.scalar"] = tensor(2.5f),
            ["i.empty"] = zeros([0, 4]),
            // A non-contiguous view is written as its logical values.
            ["j.transposed"] = arange(6, dtype: ScalarType.Float32).reshape(2, 3).t(),
        };
        var metadata = new Dictionary<string, string> { ["format"] = "pt", ["layers"] = "{\"x\": [1, 2]}" };
        var path = Path.Combine(_dir, "all.safetensors");
        SafetensorsWriter.Write(path, tensors, metadata);

        using var file = SafetensorsFile.Open(path);
        Assert.Equal(tensors.Keys, file.Tensors.Keys);
        Assert.Equal(metadata, file.Metadata);
        foreach (var (name, expected) in tensors)
        {
            var actual = file.ReadTensor(name);
            Assert.Equal(expected.dtype, actual.dtype);
            Assert.Equal(expected.shape, actual.shape);
            Assert.True(expected.equal(actual).all().item<bool>(), $"{name} differs after the round trip");
        }
    }

    [Fact]
    public void TheHeaderIsPaddedSoTheDataStartsEightByteAligned()
    {
        using var scope = NewDisposeScope();
        var path = Path.Combine(_dir, "pad.safetensors");
        SafetensorsWriter.Write(path, [new("w", ones(3))], new Dictionary<string, string> { ["k"] = "v" });
        var bytes = File.ReadAllBytes(path);
        var headerLength = (long)BitConverter.ToUInt64(bytes, 0);
        Assert.Equal(0, headerLength % 8);
        Assert.Equal(8 + headerLength + 12, bytes.Length);
    }

    [Fact]
    public void ACheckpointDirectoryWrittenByTheWriterExposesItsMetadata()
    {
        using var scope = NewDisposeScope();
        SafetensorsWriter.Write(Path.Combine(_dir, SafetensorsCheckpoint.SingleFileName), [new("x", ones(2, 2))], new Dictionary<string, string> { ["format"] = "demo" });
        using var checkpoint = SafetensorsCheckpoint.Open(_dir);
        Assert.Equal("demo", checkpoint.Metadata["format"]);
        Assert.True(checkpoint.ReadTensor("x").equal(ones(2, 2)).all().item<bool>());
    }

    [Fact]
    public void DuplicateNamesAndUnsupportedDTypesAreRejectedWithTheirName()
    {
        using var scope = NewDisposeScope();
        var path = Path.Combine(_dir, "bad.safetensors");
        var duplicate = Assert.Throws<ArgumentException>(() => SafetensorsWriter.Write(path, [new("w", ones(1)), new("w", ones(1))]));
        Assert.Contains("'w'", duplicate.Message, StringComparison.Ordinal);
        var complex = Assert.Throws<ArgumentException>(() => SafetensorsWriter.Write(path, [new("z", ones(2, dtype: ScalarType.ComplexFloat32))]));
        Assert.Contains("ComplexFloat32", complex.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
    }
}
