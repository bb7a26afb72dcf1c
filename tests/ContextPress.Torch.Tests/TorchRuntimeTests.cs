using TorchSharp;
using static TorchSharp.torch;

namespace ContextPress.Torch.Tests;

public sealed class TorchRuntimeTests
{
    [Fact]
    public void NativeLibraryLoadsAndMatmulIsCorrect()
    {
        using var scope = NewDisposeScope();
        var a = tensor(new float[] { 1, 2, 3, 4, 5, 6 }, new long[] { 2, 3 });
        var b = tensor(new float[] { 7, 8, 9, 10, 11, 12 }, new long[] { 3, 2 });
        var c = matmul(a, b);
        Assert.Equal(new long[] { 2, 2 }, c.shape);
        Assert.Equal(new float[] { 58, 64, 139, 154 }, c.data<float>().ToArray());
    }

    [Fact]
    public void LargerMatmulMatchesManualProduct()
    {
        using var scope = NewDisposeScope();
        var g = new Generator(42);
        var a = randn(new long[] { 64, 96 }, generator: g);
        var b = randn(new long[] { 96, 32 }, generator: g);
        var c = matmul(a, b).data<float>().ToArray();
        var av = a.data<float>().ToArray();
        var bv = b.data<float>().ToArray();
        double maxDiff = 0;
        for (var i = 0; i < 64; i++)
        {
            for (var j = 0; j < 32; j++)
            {
                double s = 0;
                for (var k = 0; k < 96; k++)
                {
                    s += (double)av[i * 96 + k] * bv[k * 32 + j];
                }
                maxDiff = Math.Max(maxDiff, Math.Abs(s - c[i * 32 + j]));
            }
        }
        Assert.True(maxDiff < 1e-3, $"max |diff| {maxDiff}");
    }
}

public sealed class TorchDevicesTests
{
    [Fact]
    public void ResolvesCpuAutoAndRejectsUnknownOrMissingDevices()
    {
        Assert.Equal(DeviceType.CPU, TorchDevices.Resolve("cpu").type);
        Assert.Equal(DeviceType.CPU, TorchDevices.Resolve(" CPU ").type);
        var auto = TorchDevices.Resolve("auto");
        Assert.Equal(cuda.is_available() ? DeviceType.CUDA : DeviceType.CPU, auto.type);
        Assert.Equal(auto.type, TorchDevices.Resolve(null).type);
        Assert.Throws<ArgumentException>(() => TorchDevices.Resolve("tpu"));
        Assert.Throws<ArgumentException>(() => TorchDevices.Resolve("cuda:x"));
        if (!cuda.is_available())
        {
            var e = Assert.Throws<ArgumentException>(() => TorchDevices.Resolve("cuda"));
            Assert.Contains("no CUDA", e.Message);
        }
    }
}
