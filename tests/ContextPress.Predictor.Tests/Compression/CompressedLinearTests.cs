using ContextPress.Predictor.Compression;
using TorchSharp;
using static TorchSharp.torch;

namespace ContextPress.Predictor.Tests.Compression;

public sealed class CompressedLinearTests
{
    private static float MaxDiff(Tensor a, Tensor b) => (a - b).abs().max().item<float>();

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(7)]
    [InlineData(8)]
    public void CodesRoundTripThroughPackingAndTakeTheirBitsOfStorage(int bits)
    {
        using var scope = NewDisposeScope();
        var codes = randint(0, 1 << bits, [5, 37], dtype: ScalarType.Byte, generator: new Generator(7));
        var packed = QuantizedLinear.PackCodes(codes, bits);
        Assert.Equal(new long[] { 5, (37 * bits + 7) / 8 }, packed.shape);
        Assert.True(QuantizedLinear.UnpackCodes(packed, bits, 37).equal(codes).all().item<bool>());
    }

    [Fact]
    public void FourBitCodesPackLowNibbleFirst()
    {
        using var scope = NewDisposeScope();
        var packed = QuantizedLinear.PackCodes(tensor(new byte[] { 1, 2, 15, 0, 7 }).reshape(1, 5), 4);
        Assert.Equal(new byte[] { 0x21, 0x0F, 0x07 }, packed.data<byte>().ToArray());
    }

    [Theory]
    [InlineData(4, 16, true)]
    [InlineData(3, 10, false)]
    [InlineData(8, 24, true)]
    [InlineData(2, 7, false)]
    public void QuantizedForwardEqualsALinearWithTheDequantizedWeight(int bits, int groupSize, bool bias)
    {
        using var scope = NewDisposeScope();
        var g = new Generator(11);
        var w = randn([12, 24], generator: g);
        var b = bias ? randn([12], generator: g) : null;
        var (codes, scales, zeros) = CompressedLinearTestDoubles.FakeQuantize(w, bits, groupSize);
        using var module = QuantizedLinear.FromCodes(codes, scales, zeros, bits, groupSize, b);

        // The dense equivalent, built independently: scale and zero of column i's group.
        var group = arange(24, dtype: ScalarType.Int64).floor_divide(groupSize);
        var dense = scales.index_select(1, group) * (codes.to_type(ScalarType.Float32) - zeros.index_select(1, group));
        var x = randn([3, 5, 24], generator: g);
        Assert.True(MaxDiff(module.forward(x), nn.functional.linear(x, dense, b)) < 1e-5f);
        Assert.True(MaxDiff(module.ToDense(), dense) < 1e-6f);
        Assert.True(MaxDiff(dense, w) < scales.max().item<float>(), "fake quantization stays within a step of the weight");
        Assert.True(module.Codes().equal(codes).all().item<bool>());

        var groups = (24 + groupSize - 1) / groupSize;
        Assert.Equal(12 * ((24 * bits + 7) / 8) + 2 * 12 * groups * 4 + (bias ? 12 * 4 : 0), module.StorageBytes);
        var layout = module.Layout;
        Assert.Equal((CompressedLinearLayout.QuantizedKind, bits, groupSize, bias, (long)24, (long)12), (layout.Kind, layout.Bits!.Value, layout.GroupSize!.Value, layout.HasBias, layout.InFeatures, layout.OutFeatures));
    }

    [Fact]
    public void QuantizedLinearRejectsCodesThatDoNotFitTheirBitsAndMisShapedScales()
    {
        using var scope = NewDisposeScope();
        var codes = full([2, 8], 8, ScalarType.Byte);
        var scales = ones(2, 2);
        var ex = Assert.Throws<ArgumentException>(() => QuantizedLinear.FromCodes(codes, scales, zeros(2, 2), bits: 3, groupSize: 4));
        Assert.Contains("[0, 7]", ex.Message, StringComparison.Ordinal);
        ex = Assert.Throws<ArgumentException>(() => QuantizedLinear.FromCodes(codes, ones(2, 3), zeros(2, 3), bits: 4, groupSize: 4));
        Assert.Contains("[2, 2]", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LowRankForwardEqualsALinearWithTheProductOfItsFactors()
    {
        using var scope = NewDisposeScope();
        var g = new Generator(3);
        var down = randn([4, 20], generator: g);
        var up = randn([9, 4], generator: g);
        var bias = randn([9], generator: g);
        using var module = new LowRankLinear(down, up, bias);
        var x = randn([2, 3, 20], generator: g);
        Assert.True(MaxDiff(module.forward(x), nn.functional.linear(x, up.mm(down), bias)) < 1e-4f);
        Assert.Equal((4 * 20 + 9 * 4 + 9) * 4, module.StorageBytes);
        Assert.Equal(4, module.Layout.Rank);
        Assert.Equal(new[] { "low_rank_down", "low_rank_up", "bias" }.Order(), module.state_dict().Keys.Order());
    }

    [Fact]
    public void ACorrectionAddsItsLowRankTermToAnyKind()
    {
        using var scope = NewDisposeScope();
        var g = new Generator(4);
        var w = randn([6, 16], generator: g);
        var (codes, scales, zeros) = CompressedLinearTestDoubles.FakeQuantize(w, 3, 8);
        var eoraDown = randn([2, 16], generator: g);
        var eoraUp = randn([6, 2], generator: g);
        var x = randn([5, 16], generator: g);
        CompressedLinear[] modules =
        [
            QuantizedLinear.FromCodes(codes, scales, zeros, 3, 8),
            new LowRankLinear(randn([3, 16], generator: g), randn([6, 3], generator: g)),
            new SparseLinear(w * (randn([6, 16], generator: g) > 0)),
        ];
        foreach (var module in modules)
        {
            var before = module.forward(x);
            var denseBefore = module.ToDense();
            module.SetCorrection(eoraDown, eoraUp);
            Assert.Equal(2, module.CorrectionRank);
            Assert.Equal(2, module.Layout.CorrectionRank);
            Assert.True(MaxDiff(module.forward(x), before + x.mm(eoraDown.t()).mm(eoraUp.t())) < 1e-4f);
            Assert.True(MaxDiff(module.ToDense(), denseBefore + eoraUp.mm(eoraDown)) < 1e-5f);
            Assert.Contains("eora_down", module.state_dict().Keys);
        }
        Assert.Throws<ArgumentException>(() => modules[0].SetCorrection(randn([2, 15]), eoraUp));
        foreach (var module in modules)
        {
            module.Dispose();
        }
    }

    [Fact]
    public void SparseLinearReportsItsZeroFraction()
    {
        using var scope = NewDisposeScope();
        var w = tensor(new float[] { 1, 0, 0, 2, 0, 3, 0, 0 }).reshape(2, 4);
        using var module = new SparseLinear(w, pattern: "2:4");
        Assert.Equal(0.625, module.Layout.Sparsity!.Value, 6);
        Assert.Equal("2:4", module.Layout.Pattern);
        Assert.True(MaxDiff(module.forward(eye(4)), w.t()) == 0);
    }

    [Theory]
    [InlineData(CompressedLinearLayout.QuantizedKind, 4, 8, null, 2, true)]
    [InlineData(CompressedLinearLayout.LowRankKind, null, null, 3, null, false)]
    [InlineData(CompressedLinearLayout.SparseKind, null, null, null, 1, true)]
    public void AnEmptyModuleForALayoutHasTheLayoutsTensors(string kind, int? bits, int? groupSize, int? rank, int? correction, bool bias)
    {
        var layout = new CompressedLinearLayout { Kind = kind, InFeatures = 20, OutFeatures = 6, Bits = bits, GroupSize = groupSize, Rank = rank, CorrectionRank = correction, HasBias = bias };
        using var module = CompressedLinear.Create(layout, ScalarType.Float32);
        Assert.Equal(layout with { Sparsity = module.Layout.Sparsity }, module.Layout);
        Assert.Equal(bias, module.state_dict().ContainsKey("bias"));
    }

    [Fact]
    public void InvalidLayoutsNameTheLayerAndTheProblem()
    {
        var ex = Assert.Throws<InvalidDataException>(() => new CompressedLinearLayout { Kind = "quantized", InFeatures = 4, OutFeatures = 4, Bits = 9, GroupSize = 4 }.Validate("x.q_proj"));
        Assert.Contains("x.q_proj", ex.Message, StringComparison.Ordinal);
        ex = Assert.Throws<InvalidDataException>(() => new CompressedLinearLayout { Kind = "hashed", InFeatures = 4, OutFeatures = 4 }.Validate("y"));
        Assert.Contains("hashed", ex.Message, StringComparison.Ordinal);
    }
}
