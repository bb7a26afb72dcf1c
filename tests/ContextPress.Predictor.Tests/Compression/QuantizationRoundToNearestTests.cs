using ContextPress.Predictor.Compression;
using static ContextPress.Predictor.Tests.Compression.QuantizationTestInputs;
using static TorchSharp.torch;

namespace ContextPress.Predictor.Tests.Compression;

public sealed class QuantizationRoundToNearestTests
{
    [Fact]
    public void HandWorkedTwoBitRowMatchesTheMinMaxGrid()
    {
        using var scope = NewDisposeScope();
        // min −1, max 2 → scale (2 − (−1)) / 3 = 1, zero round(1/1) = 1; 0.5/1 rounds half to even → 0, code 1.
        var w = tensor(new float[] { -1f, 0f, 0.5f, 2f }).view(1, 4);
        using var q = RoundToNearest.Quantize(w, new QuantizationSpec(2, 0));
        Assert.Equal(new byte[] { 0, 1, 1, 3 }, Bytes(q.Codes));
        Assert.Equal(new[] { 1f }, Floats(q.Scales));
        Assert.Equal(new[] { 1f }, Floats(q.Zeros));
        Assert.Equal(new[] { -1f, 0f, 0f, 2f }, Floats(q.Dequantize()));
    }

    [Theory]
    [InlineData(2, 0, false)]
    [InlineData(3, 0, false)]
    [InlineData(4, 32, false)]
    [InlineData(4, -1, true)]
    [InlineData(3, 16, true)]
    [InlineData(8, 64, false)]
    public void ErrorIsAtMostHalfAStepAndCodesStayInRange(int bits, int groupSize, bool symmetric)
    {
        using var scope = NewDisposeScope();
        var w = Weight(48, 128, seed: bits * 100 + groupSize);
        var spec = new QuantizationSpec(bits, groupSize, symmetric);
        using var q = RoundToNearest.Quantize(w, spec);

        var codes = q.Codes.to_type(ScalarType.Int32);
        Assert.True(codes.min().item<int>() >= 0);
        Assert.True(codes.max().item<int>() <= spec.MaxCode);
        Assert.Equal(spec.MaxCode, codes.max().item<int>());

        var groupWidth = groupSize > 0 ? groupSize : 128;
        var step = q.Scales.repeat_interleave(groupWidth, dim: 1);
        var error = (w - q.Dequantize()).abs();
        // Half a step, plus fp32 rounding of w/scale and of the product.
        var excess = (error - step * (0.5 + 1e-5)).max().item<float>();
        Assert.True(excess <= 0, $"error exceeds scale/2 by {excess}");
        // The error reaches nearly half a step somewhere: the bound is tight, not vacuous.
        Assert.True((error / step).max().item<float>() > 0.45f);
    }

    [Fact]
    public void AsymmetricGridRepresentsZeroExactly()
    {
        using var scope = NewDisposeScope();
        var w = Weight(16, 64, seed: 3);
        w.select(1, 5).zero_();
        using var q = RoundToNearest.Quantize(w, new QuantizationSpec(3, 16));
        Assert.All(Floats(q.Dequantize().select(1, 5)), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void MoreBitsGiveSmallerErrorAndDtypeIsKept()
    {
        using var scope = NewDisposeScope();
        var w = Weight(32, 128, seed: 4, ScalarType.BFloat16);
        var errors = new List<double>();
        foreach (var bits in new[] { 2, 3, 4, 8 })
        {
            using var q = RoundToNearest.Quantize(w, new QuantizationSpec(bits, 32));
            var deq = q.Dequantize(ScalarType.BFloat16);
            Assert.Equal(ScalarType.BFloat16, deq.dtype);
            errors.Add((w.to_type(ScalarType.Float32) - q.Dequantize()).norm().item<float>());
        }
        Assert.True(errors.Zip(errors.Skip(1)).All(p => p.Second < p.First), string.Join(", ", errors));
    }

    [Theory]
    [InlineData(2, 0, 64)]
    [InlineData(3, 0, 63)]
    [InlineData(4, 16, 128)]
    [InlineData(4, 0, 7)]
    [InlineData(8, 0, 33)]
    public void PackedCodesRoundTrip(int bits, int groupSize, int columns)
    {
        using var scope = NewDisposeScope();
        var spec = new QuantizationSpec(bits, groupSize);
        using var q = RoundToNearest.Quantize(Weight(24, columns, seed: columns), spec);
        var packed = q.PackCodes();
        var expectedWidth = bits <= 4 ? (columns + 1) / 2 : columns;
        Assert.Equal(new long[] { 24, expectedWidth }, packed.shape);
        Assert.Equal(q.StorageBytes, packed.NumberOfElements + 2 * 4 * q.Scales.NumberOfElements);
        var unpacked = QuantizedTensor.UnpackCodes(packed, spec, columns);
        Assert.Equal(Bytes(q.Codes), Bytes(unpacked));
    }

    [Fact]
    public void NibblesHoldEvenColumnsLowAndOddColumnsHigh()
    {
        using var scope = NewDisposeScope();
        var spec = new QuantizationSpec(4, 0);
        using var q = new QuantizedTensor(
            tensor(new byte[] { 1, 2, 15, 4, 9 }).view(1, 5), ones(1, 1), zeros(1, 1), spec);
        Assert.Equal(new byte[] { 0x21, 0x4F, 0x09 }, Bytes(q.PackCodes()));
        Assert.Throws<ArgumentException>("packed", () => QuantizedTensor.UnpackCodes(q.PackCodes(), spec, 7));
    }

    [Fact]
    public void BadSpecsNameTheSetting()
    {
        Assert.Equal("Bits", Assert.Throws<ArgumentOutOfRangeException>(() => new QuantizationSpec(1, 0)).ParamName);
        Assert.Equal("Bits", Assert.Throws<ArgumentOutOfRangeException>(() => new QuantizationSpec(9, 0)).ParamName);
        Assert.Equal("Bits", Assert.Throws<ArgumentOutOfRangeException>(() => new QuantizationSpec(4, 0) with { Bits = 16 }).ParamName);
        Assert.Equal("GroupSize", Assert.Throws<ArgumentOutOfRangeException>(() => new QuantizationSpec(4, -2)).ParamName);

        using var scope = NewDisposeScope();
        var w = Weight(4, 100, seed: 1);
        var notDividing = Assert.Throws<ArgumentException>(() => RoundToNearest.Quantize(w, new QuantizationSpec(4, 32)));
        Assert.Equal("GroupSize", notDividing.ParamName);
        Assert.Contains("does not divide", notDividing.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>("weight", () => RoundToNearest.Quantize(zeros(4, 4, ScalarType.Int32), new QuantizationSpec(4, 0)));
        Assert.Throws<ArgumentException>("scales", () => new QuantizedTensor(
            zeros(2, 8, ScalarType.Byte), ones(2, 2), zeros(2, 2), new QuantizationSpec(4, 0)));
    }
}
