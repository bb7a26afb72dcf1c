using ContextPress.Cli;
using ContextPress.Predictor;
using ContextPress.Predictor.Compression;
using static TorchSharp.torch;

namespace ContextPress.Tests.Cli;

/// <summary><c>contextpress model compress</c> and <c>model info</c> (model-backed tests skip when <c>shared/models</c> is absent).</summary>
public sealed class ModelCommandsTests
{
    private static string? SharedModel(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "models", name);
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    /// <summary>A plain truncated SVD, enough to produce a compressed checkpoint for the CLI to read.</summary>
    private sealed class RankCut(int rank) : ILinearCompressor
    {
        public string Method => "rank-cut";

        public CompressedLinear Compress(LinearCompressionInput input)
        {
            using var scope = NewDisposeScope();
            var (u, s, vh) = linalg.svd(input.Weight, fullMatrices: false);
            return new LowRankLinear(vh.narrow(0, 0, rank), u.narrow(1, 0, rank) * s.narrow(0, 0, rank));
        }
    }

    [Fact]
    public async Task InfoDescribesACompressedCheckpointThatGenerateLoadsAsItIs()
    {
        var stories = SharedModel("stories260K");
        Assert.SkipWhen(stories is null, "shared/models/stories260K is absent");
        using var temp = new TempDirectory();
        var output = temp.File("stories-rank8");
        using (var model = CausalLM.FromLlama2c(Path.Combine(stories, "stories260K.bin")))
        {
            var random = new Random(1);
            var windows = Enumerable.Range(0, 4).Select(_ => Enumerable.Range(0, 32).Select(_ => random.Next(512)).ToArray()).ToArray();
            using var statistics = CalibrationCollector.Collect(model, windows, cancellationToken: TestContext.Current.CancellationToken);
            var result = ModelCompressor.Compress(model, statistics, new RankCut(8), cancellationToken: TestContext.Current.CancellationToken);
            CompressedCheckpoint.Save(model, output, CompressionManifest.From(result, new Dictionary<string, string> { ["rank"] = "8" }));
        }

        var info = await CliRunner.RunAsync("model", "info", "--model", output);
        Assert.Equal(ContextPressCli.ExitOk, info.ExitCode);
        Assert.Equal("", info.Stderr);
        var lines = info.Stdout.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("method rank-cut", lines[0], StringComparison.Ordinal);
        Assert.Contains("settings: rank=8", lines, StringComparer.Ordinal);
        // stories260K: 5 layers x 7 projections, each listed with its rank and error.
        var layers = lines.Where(l => l.Contains(": low rank 8, ", StringComparison.Ordinal)).ToList();
        Assert.Equal(35, layers.Count);
        Assert.Contains(layers, l => l.StartsWith("  model.layers.4.mlp.down_proj [64x172]", StringComparison.Ordinal));

        var generate = await CliRunner.RunAsync("generate", "--model", output, "--tokenizer", Path.Combine(stories, "tok512.bin"), "--prompt", "Once upon a time", "-n", "8", "--device", "cpu");
        Assert.Equal(ContextPressCli.ExitOk, generate.ExitCode);
        Assert.StartsWith("Once upon a time", generate.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InfoCallsADenseCheckpointDense()
    {
        var dense = SharedModel("tiny-random-llama-2-hf");
        Assert.SkipWhen(dense is null, "shared/models/tiny-random-llama-2-hf is absent");
        var info = await CliRunner.RunAsync("model", "info", "--model", dense);
        Assert.Equal(ContextPressCli.ExitOk, info.ExitCode);
        Assert.Contains(": dense checkpoint, ", info.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InfoOnAMissingDirectoryIsOneInputErrorLine()
    {
        var run = await CliRunner.RunAsync("model", "info", "--model", Path.Combine(Path.GetTempPath(), $"cp-missing-{Guid.NewGuid():N}"));
        Assert.Equal(ContextPressCli.ExitInputError, run.ExitCode);
        var line = Assert.Single(run.StderrLines);
        Assert.Contains("does not exist", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnknownMethodIsAUsageErrorListingTheMethods()
    {
        using var temp = new TempDirectory();
        var run = await CliRunner.RunAsync("model", "compress", "--model", temp.Path, "--method", "zip", "--calib", temp.File("c.txt"), "--output", temp.File("out"));
        Assert.Equal(ContextPressCli.ExitUsageError, run.ExitCode);
        var line = Assert.Single(run.StderrLines);
        Assert.StartsWith(ContextPressCli.ErrorPrefix + "--method must be one of ", line, StringComparison.Ordinal);
        Assert.Contains("not 'zip'", line, StringComparison.Ordinal);
        Assert.False(Directory.Exists(temp.File("out")));
    }
}
