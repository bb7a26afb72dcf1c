using ContextPress.Predictor.Compression;
using static ContextPress.Predictor.Tests.Compression.QuantizationTestInputs;
using static TorchSharp.torch;

namespace ContextPress.Predictor.Tests.Compression;

public sealed class PruningTests
{
    private readonly ITestOutputHelper _output;

    public PruningTests(ITestOutputHelper output) => _output = output;

    private static readonly string[] Methods = ["magnitude", "wanda", "sparsegpt"];

    private static Tensor Prune(string method, Tensor w, Tensor x, SparsityPattern pattern) => method switch
    {
        "magnitude" => MagnitudePruning.Prune(w, pattern),
        "wanda" => Wanda.Prune(w, Hessian(x).diagonal(), pattern),
        "sparsegpt" => SparseGpt.Prune(w, Hessian(x), pattern),
        _ => throw new ArgumentOutOfRangeException(nameof(method)),
    };

    [Theory]
    [InlineData("magnitude", 0.5, 128)]
    [InlineData("magnitude", 0.29, 100)]
    [InlineData("wanda", 0.5, 128)]
    [InlineData("wanda", 0.29, 100)]
    [InlineData("wanda", 0.0, 64)]
    public void UnstructuredRemovesExactlyTheFloorOfSparsityTimesWidthPerRow(string method, double sparsity, int columns)
    {
        using var scope = NewDisposeScope();
        var w = Weight(24, columns, seed: columns);
        var x = CorrelatedInputs(256, columns, seed: columns);
        var pruned = Prune(method, w, x, SparsityPattern.Unstructured(sparsity));
        var expected = (int)Math.Floor(Math.Round(sparsity * columns, 9)); // 0.29·100 = 29 zeros, not 28
        var perRow = (pruned == 0).sum(1).data<long>().ToArray();
        Assert.All(perRow, n => Assert.Equal(expected, n));
        // Kept weights are untouched (no update in these two methods).
        var kept = pruned != 0;
        Assert.Equal(Floats(w.masked_select(kept)), Floats(pruned.masked_select(kept)));
    }

    [Theory]
    [InlineData("magnitude", 2, 4)]
    [InlineData("wanda", 2, 4)]
    [InlineData("sparsegpt", 2, 4)]
    [InlineData("magnitude", 1, 4)]
    [InlineData("wanda", 4, 8)]
    [InlineData("sparsegpt", 4, 8)]
    [InlineData("sparsegpt", 1, 3)]
    public void NofMRemovesExactlyNOfEveryMConsecutiveInputs(string method, int n, int m)
    {
        using var scope = NewDisposeScope();
        var columns = 96;
        var w = Weight(20, columns, seed: 7 * m + n);
        var x = CorrelatedInputs(256, columns, seed: m);
        var pruned = Prune(method, w, x, SparsityPattern.NofM(n, m));
        var zerosPerGroup = (pruned == 0).view(20, columns / m, m).sum(2).data<long>().ToArray();
        Assert.All(zerosPerGroup, z => Assert.Equal(n, z));
    }

    [Theory]
    [InlineData(0.5, 200, 128)]
    [InlineData(0.37, 200, 128)]
    [InlineData(0.6, 96, 40)]
    public void SparseGptUnstructuredRemovesExactlyTheFloorOfSparsityTimesSize(double sparsity, int columns, int blockSize)
    {
        using var scope = NewDisposeScope();
        var rows = 33;
        var w = Weight(rows, columns, seed: columns);
        var x = CorrelatedInputs(512, columns, seed: columns);
        var pruned = SparseGpt.Prune(w, Hessian(x), SparsityPattern.Unstructured(sparsity), new SparseGptOptions { BlockSize = blockSize });
        Assert.Equal((long)Math.Floor(sparsity * rows * columns), (pruned == 0).sum().item<long>());
        Assert.True(isfinite(pruned).all().item<bool>());
    }

    [Theory]
    [InlineData("0.5")]
    [InlineData("2:4")]
    [InlineData("60%")]
    public void SparseGptHasTheLowestOutputError(string patternText)
    {
        var pattern = SparsityPattern.Parse(patternText);
        foreach (var seed in new[] { 1, 2 })
        {
            using var scope = NewDisposeScope();
            var w = Weight(64, 192, seed: 300 + seed);
            var x = CorrelatedInputs(768, 192, seed: 300 + seed);
            var errors = Methods.Select(m => OutputError(w, Prune(m, w, x, pattern), x)).ToArray();
            _output.WriteLine($"{pattern} seed {seed}: magnitude {errors[0]:F1}, Wanda {errors[1]:F1}, SparseGPT {errors[2]:F1}");
            Assert.True(errors[2] < 0.8 * errors[1], $"SparseGPT {errors[2]:F1} vs Wanda {errors[1]:F1}");
            Assert.True(errors[2] < 0.8 * errors[0], $"SparseGPT {errors[2]:F1} vs magnitude {errors[0]:F1}");
        }
    }

    [Theory]
    [InlineData("0.5")]
    [InlineData("2:4")]
    [InlineData("0.73")]
    public void WandaWithEqualInputNormsIsMagnitudePruning(string patternText)
    {
        using var scope = NewDisposeScope();
        var pattern = SparsityPattern.Parse(patternText);
        var w = Weight(32, 128, seed: 51);
        var magnitude = MagnitudePruning.Prune(w, pattern);
        var wanda = Wanda.Prune(w, full(128, 3.7), pattern);
        Assert.Equal(Floats(magnitude), Floats(wanda));
    }

    [Fact]
    public void WandaKeepsTheWeightsOfHighNormInputs()
    {
        using var scope = NewDisposeScope();
        var w = Weight(32, 64, seed: 52);
        var norms = ones(64);
        norms[10] = tensor(1e6f);
        var pruned = Wanda.Prune(w, norms, SparsityPattern.Unstructured(0.5));
        Assert.Equal(0, (pruned.select(1, 10) == 0).sum().item<long>());
        // Magnitude pruning ignores the input and removes about half of that column.
        Assert.True((MagnitudePruning.Prune(w, SparsityPattern.Unstructured(0.5)).select(1, 10) == 0).sum().item<long>() > 5);
    }

    [Fact]
    public void MagnitudePruningRemovesTheSmallestWeightsOfEachRow()
    {
        using var scope = NewDisposeScope();
        var w = Weight(16, 64, seed: 53);
        var pruned = MagnitudePruning.Prune(w, SparsityPattern.Unstructured(0.25));
        for (var r = 0; r < 16; r++)
        {
            var row = w[r].abs();
            var removed = pruned[r] == 0;
            Assert.True(row.masked_select(removed).max().item<float>() < row.masked_select(removed.logical_not()).min().item<float>());
        }
    }

    [Fact]
    public void SparseGptWithIdentityHessianIsMagnitudePruningForNofM()
    {
        // With H = I there is no correlation: the saliency is w² over a constant and no update reaches other columns.
        using var scope = NewDisposeScope();
        var w = Weight(16, 64, seed: 54);
        var pattern = SparsityPattern.NofM(2, 4);
        Assert.Equal(Floats(MagnitudePruning.Prune(w, pattern)), Floats(SparseGpt.Prune(w, eye(64), pattern)));
    }

    [Fact]
    public void DtypeIsKept()
    {
        using var scope = NewDisposeScope();
        var w = Weight(8, 32, seed: 55, ScalarType.BFloat16);
        var x = CorrelatedInputs(128, 32, seed: 55);
        Assert.Equal(ScalarType.BFloat16, MagnitudePruning.Prune(w, SparsityPattern.NofM(2, 4)).dtype);
        Assert.Equal(ScalarType.BFloat16, Wanda.Prune(w, Hessian(x).diagonal().to_type(ScalarType.Float32), SparsityPattern.NofM(2, 4)).dtype);
        Assert.Equal(ScalarType.BFloat16, SparseGpt.Prune(w, Hessian(x), SparsityPattern.NofM(2, 4)).dtype);
    }

    [Fact]
    public void BadPatternsAndInputsNameTheProblem()
    {
        Assert.Equal("sparsity", Assert.Throws<ArgumentOutOfRangeException>(() => SparsityPattern.Unstructured(1.0)).ParamName);
        Assert.Equal("sparsity", Assert.Throws<ArgumentOutOfRangeException>(() => SparsityPattern.Unstructured(-0.1)).ParamName);
        Assert.Equal("sparsity", Assert.Throws<ArgumentOutOfRangeException>(() => SparsityPattern.Unstructured(double.NaN)).ParamName);
        Assert.Equal("n", Assert.Throws<ArgumentOutOfRangeException>(() => SparsityPattern.NofM(4, 4)).ParamName);
        Assert.Equal("n", Assert.Throws<ArgumentOutOfRangeException>(() => SparsityPattern.NofM(0, 4)).ParamName);
        Assert.Equal("m", Assert.Throws<ArgumentOutOfRangeException>(() => SparsityPattern.NofM(1, 1)).ParamName);
        Assert.Throws<ArgumentException>("text", () => SparsityPattern.Parse("half"));
        Assert.Equal(SparsityPattern.NofM(2, 4), SparsityPattern.Parse("2:4"));
        Assert.Equal(SparsityPattern.Unstructured(0.5), SparsityPattern.Parse("50%"));

        using var scope = NewDisposeScope();
        var w = Weight(8, 30, seed: 1);
        var notDividing = Assert.Throws<ArgumentException>(() => MagnitudePruning.Prune(w, SparsityPattern.NofM(2, 4)));
        Assert.Contains("M = 4", notDividing.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => SparseGpt.Prune(w, eye(30), SparsityPattern.NofM(2, 4)));
        Assert.Throws<ArgumentException>("inputNormSquared", () => Wanda.Prune(w, ones(29), SparsityPattern.Unstructured(0.5)));
        Assert.Throws<ArgumentException>("inputNormSquared", () => Wanda.Prune(w, -ones(30), SparsityPattern.Unstructured(0.5)));
        Assert.Throws<ArgumentException>("hessian", () => SparseGpt.Prune(w, eye(8), SparsityPattern.Unstructured(0.5)));
        Assert.Equal("BlockSize", Assert.Throws<ArgumentOutOfRangeException>(
            () => SparseGpt.Prune(w, eye(30), SparsityPattern.Unstructured(0.5), new SparseGptOptions { BlockSize = 0 })).ParamName);
    }
}
