using ContextPress.Predictor.Compression;
using static ContextPress.Predictor.Tests.Compression.LowRankTestData;
using static TorchSharp.torch;

namespace ContextPress.Predictor.Tests.Compression;

public sealed class LowRankBudgetTests
{
    [Theory]
    [InlineData(4096, 4096, 0.8, 1638)] // 0.8·4096²/8192 = 1638.4
    [InlineData(896, 4864, 0.6, 453)]   // Qwen2.5-0.5B up_proj at 40 % removed: 2,614,886.4/5,760 = 453.97
    [InlineData(384, 1024, 0.8, 223)]   // 314,572.8/1,408 = 223.4
    [InlineData(384, 384, 1.0, 192)]   // keep 1 is the break-even rank m·n/(m+n)
    [InlineData(64, 96, 0.6, 23)]       // 3,686.4/160 = 23.04
    public void RankForKeptFractionIsTheFloorOfKeepTimesMnOverMPlusN(int outFeatures, int inFeatures, double keep, int expected)
    {
        var rank = LowRankBudget.RankForKeptFraction(outFeatures, inFeatures, keep);
        Assert.Equal(expected, rank);
        // The floor: this rank's factors fit the kept parameters, one more rank would not.
        Assert.True((long)rank * (outFeatures + inFeatures) <= keep * outFeatures * inFeatures);
        Assert.True((long)(rank + 1) * (outFeatures + inFeatures) > keep * outFeatures * inFeatures);
    }

    [Theory]
    [InlineData(0.8)]
    [InlineData(0.6)]
    public void StoredParametersMatchTheRankFormula(double keep)
    {
        using var scope = NewDisposeScope();
        var g = new Generator(3);
        var weight = Gaussian(g, 64, 96).to(ScalarType.Float32);
        var rank = LowRankBudget.RankForKeptFraction(64, 96, keep);

        using var factors = LowRankFactorization.Svd(weight, rank);
        var stored = factors.Up.NumberOfElements + factors.Down.NumberOfElements;
        Assert.Equal(factors.ParameterCount, stored);
        Assert.Equal((long)rank * (64 + 96), stored);
        Assert.True(stored <= keep * 64 * 96);
    }

    [Fact]
    public void BreakEvenRankIsWhereFactorsStopSavingParameters()
    {
        Assert.Equal(12, LowRankBudget.BreakEvenRank(16, 48)); // 12·64 = 768 = 16·48
        Assert.Equal(7, LowRankBudget.BreakEvenRank(10, 30));  // 7·40 = 280 < 300 < 8·40
        Assert.Equal(0, LowRankBudget.BreakEvenRank(1, 8));    // rank 1 costs 9 > 8
    }

    [Theory]
    [InlineData(0.8, 1)]
    [InlineData(0.6, 2)]
    [InlineData(0.3, 3)]
    public void AllocationStaysWithinTheBudgetAndSpendsIt(double keep, int seed)
    {
        using var scope = NewDisposeScope();
        var g = new Generator((ulong)seed);
        var shapes = new (int Out, int In)[] { (64, 64), (64, 64), (64, 64), (64, 64) };
        var layers = shapes.Select((s, i) =>
        {
            var weight = Gaussian(g, s.Out, s.In) * (i + 1);
            var inputs = CorrelatedInputs(g, 256, s.In);
            return LowRankLayerSpectrum.Whitened($"layer{i}", weight, inputs.t().matmul(inputs));
        }).ToList();
        var budget = LowRankBudget.ParameterBudget(layers, keep);
        Assert.Equal((long)Math.Floor(keep * 4 * 64 * 64), budget);

        var allocation = LowRankBudget.AllocateRanks(layers, keep);

        Assert.Equal(layers.Select(l => l.Name), allocation.Select(a => a.Name));
        var used = allocation.Sum(a => a.ParameterCount);
        Assert.True(used <= budget, $"{used} parameters over the budget of {budget}");
        foreach (var a in allocation)
        {
            if (a.Rank is { } rank)
            {
                Assert.InRange(rank, 1, LowRankBudget.BreakEvenRank(a.Out, a.In));
                Assert.Equal(layers.Single(l => l.Name == a.Name).SquaredSingularValues.Skip(rank).Sum(), a.TruncationLoss, 1e-9 * a.TruncationLoss);
            }
            else
            {
                Assert.Equal(64 * 64, a.ParameterCount); // 64 × 64 at break-even rank 32 costs what dense costs
            }
        }
        // Every step costs 128 (a rank) or 0 (break-even to dense), so less than one rank's worth may be left over.
        Assert.True(budget - used < 128, $"{budget - used} parameters left unspent");
    }

    [Fact]
    public void AFlatterSpectrumGetsMoreRank()
    {
        using var scope = NewDisposeScope();
        var g = new Generator(7);
        var steep = Gaussian(g, 64, 4).matmul(Gaussian(g, 4, 64)) + Gaussian(g, 64, 64) * 0.05; // nearly rank 4
        var flat = Gaussian(g, 64, 64);
        steep /= steep.square().sum().sqrt();
        flat /= flat.square().sum().sqrt(); // same total energy, spread differently
        var layers = new[] { LowRankLayerSpectrum.FromWeight("steep", steep), LowRankLayerSpectrum.FromWeight("flat", flat) };
        var uniform = LowRankBudget.RankForKeptFraction(64, 64, 0.5);

        var allocation = LowRankBudget.AllocateRanks(layers, 0.5);

        Assert.True(allocation[1].Rank > uniform && uniform > allocation[0].Rank, $"steep {allocation[0].Rank}, flat {allocation[1].Rank}, uniform {uniform}");
        Assert.True(allocation.Sum(a => a.ParameterCount) <= LowRankBudget.ParameterBudget(layers, 0.5));
        // The point of allocating: less total loss than the uniform rank at the same budget.
        var uniformLoss = layers.Sum(l => l.SquaredSingularValues.Skip(uniform).Sum());
        Assert.True(allocation.Sum(a => a.TruncationLoss) < uniformLoss);
    }

    [Fact]
    public void GreedyMatchesExhaustiveSearchForLayersOfOneShape()
    {
        // Four 16 × 16 layers: 32 parameters per rank, break-even rank 8. Budgets below 11 ranks in all keep every layer
        // under rank 8, where each layer's loss is convex in its rank and greedy is exact.
        var random = new Random(2024);
        for (var trial = 0; trial < 25; trial++)
        {
            var layers = Enumerable.Range(0, 4).Select(i => new LowRankLayerSpectrum(
                $"l{i}", 16, 16,
                Enumerable.Range(0, 16).Select(_ => Math.Pow(random.NextDouble(), 1 + 3 * random.NextDouble()) * (i + 1)).OrderDescending().ToArray())).ToList();
            var keep = 0.13 + 0.21 * random.NextDouble();
            var budget = LowRankBudget.ParameterBudget(layers, keep);
            Assert.InRange(budget, 4 * 32, 11 * 32 - 1);

            var allocation = LowRankBudget.AllocateRanks(layers, keep);

            var best = double.PositiveInfinity;
            foreach (var ranks in Combinations(4))
            {
                if (32L * ranks.Sum() <= budget)
                {
                    best = Math.Min(best, ranks.Select((k, i) => layers[i].SquaredSingularValues.Skip(k).Sum()).Sum());
                }
            }
            Assert.True(allocation.Sum(a => a.ParameterCount) <= budget);
            Assert.Equal(best, allocation.Sum(a => a.TruncationLoss), 1e-12);
        }

        static IEnumerable<int[]> Combinations(int layers) => layers == 0
            ? [[]]
            : Combinations(layers - 1).SelectMany(rest => Enumerable.Range(1, 7).Select(k => rest.Append(k).ToArray()));
    }

    [Fact]
    public void LayersWhoseRankWouldPassBreakEvenStayDense()
    {
        var flat = Enumerable.Repeat(1.0, 16).ToArray();
        var layers = new[]
        {
            new LowRankLayerSpectrum("square", 16, 48, flat),                  // break-even 12: 12·64 = 768 = dense
            new LowRankLayerSpectrum("odd", 10, 30, Enumerable.Repeat(1.0, 10).ToArray()), // break-even 7: dense costs 20 more
            new LowRankLayerSpectrum("vector", 1, 8, [4.0]),                  // even rank 1 costs more than dense
        };

        var allocation = LowRankBudget.AllocateRanks(layers, 1.0);

        Assert.All(allocation, a => Assert.True(a.KeepsDense, a.Name));
        Assert.Equal(16 * 48 + 10 * 30 + 8, allocation.Sum(a => a.ParameterCount));
        Assert.All(allocation, a => Assert.Equal(0, a.TruncationLoss));

        // When the step to dense (20 parameters past rank 7) does not fit, the layer stays at its break-even rank.
        var tight = LowRankBudget.AllocateRanks([layers[1]], 0.95);
        Assert.Equal(7, tight[0].Rank);
        Assert.Equal(280, tight[0].ParameterCount);
        Assert.Equal(3, tight[0].TruncationLoss);
    }

    [Fact]
    public void BadArgumentsNameTheSetting()
    {
        var layer = new LowRankLayerSpectrum("a", 16, 16, [3, 2, 1]);
        Assert.Equal("keep", Assert.Throws<ArgumentOutOfRangeException>(() => LowRankBudget.RankForKeptFraction(16, 16, 0)).ParamName);
        Assert.Equal("keep", Assert.Throws<ArgumentOutOfRangeException>(() => LowRankBudget.RankForKeptFraction(16, 16, 1.2)).ParamName);
        Assert.Equal("keep", Assert.Throws<ArgumentOutOfRangeException>(() => LowRankBudget.RankForKeptFraction(16, 16, 0.05)).ParamName); // rank 0
        Assert.Equal("outFeatures", Assert.Throws<ArgumentOutOfRangeException>(() => LowRankBudget.RankForKeptFraction(0, 16, 0.5)).ParamName);
        Assert.Equal("keepFraction", Assert.Throws<ArgumentOutOfRangeException>(() => LowRankBudget.AllocateRanks([layer], double.NaN)).ParamName);
        var tooSmall = Assert.Throws<ArgumentOutOfRangeException>(() => LowRankBudget.AllocateRanks([layer], 0.1));
        Assert.Equal("keepFraction", tooSmall.ParamName);
        Assert.Contains("rank 1", tooSmall.Message, StringComparison.Ordinal);
        Assert.Equal("layers", Assert.Throws<ArgumentException>(() => LowRankBudget.AllocateRanks([], 0.5)).ParamName);
        Assert.Equal("layers", Assert.Throws<ArgumentException>(() => LowRankBudget.AllocateRanks([layer with { SquaredSingularValues = [1, 2] }], 0.5)).ParamName);
        Assert.Equal("layers", Assert.Throws<ArgumentException>(() => LowRankBudget.AllocateRanks([layer with { SquaredSingularValues = [1, -1] }], 0.5)).ParamName);
        Assert.Equal("layers", Assert.Throws<ArgumentException>(() => LowRankBudget.AllocateRanks([layer with { Out = 2 }], 0.5)).ParamName); // 3 values > min(2, 16)
    }
}
