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

    public static TheoryData<string[]> CompressRuns => new()
    {
        new[] { "--method", "rtn", "--bits", "8" },
        new[] { "--method", "gptq", "--bits", "4", "--group-size", "32" },
        new[] { "--method", "wanda", "--pattern", "2:4" },
        new[] { "--method", "sparsegpt", "--sparsity", "0.5" },
        new[] { "--method", "magnitude", "--pattern", "2:4" },
        new[] { "--method", "gptq", "--bits", "3", "--group-size", "32", "--eora-rank", "4" },
        new[] { "--method", "svd-llm", "--ratio", "0.2" },
    };

    [Theory]
    [MemberData(nameof(CompressRuns))]
    public async Task CompressWritesACheckpointThatInfoDescribesAndGenerateLoads(string[] methodArgs)
    {
        var stories = SharedModel("stories260K");
        Assert.SkipWhen(stories is null, "shared/models/stories260K is absent");
        using var temp = new TempDirectory();
        var output = temp.File("compressed");
        // Real text the model writes well: its own greedy story.
        var calib = Path.Combine(stories, "expected_greedy_200.txt");
        var run = await CliRunner.RunAsync(
            [.. new[] { "model", "compress", "--model", Path.Combine(stories, "stories260K.bin"), "--calib", calib, "--calib-windows", "8", "--calib-length", "24", "--output", output, "--device", "cpu" }, .. methodArgs]);
        Assert.True(run.ExitCode == ContextPressCli.ExitOk, run.Stderr);
        Assert.Equal("", run.Stderr);
        var lines = run.Stdout.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        var method = methodArgs[1];
        Assert.StartsWith($"{method}: ", lines[^1], StringComparison.Ordinal);
        Assert.Contains($"wrote {output}", lines[^1], StringComparison.Ordinal);
        Assert.True(lines.Length > 1, "one line per compressed projection");
        Assert.True(File.Exists(Path.Combine(output, "model.safetensors")));
        Assert.True(File.Exists(Path.Combine(output, "compression.json")));

        var info = await CliRunner.RunAsync("model", "info", "--model", output);
        Assert.Equal(ContextPressCli.ExitOk, info.ExitCode);
        Assert.Contains($"method {method}", info.Stdout, StringComparison.Ordinal);
        Assert.Contains("calibration: expected_greedy_200.txt", info.Stdout, StringComparison.Ordinal);

        var generate = await CliRunner.RunAsync("generate", "--model", output, "--tokenizer", Path.Combine(stories, "tok512.bin"), "--prompt", "Once upon a time", "-n", "8", "--device", "cpu");
        Assert.Equal(ContextPressCli.ExitOk, generate.ExitCode);
        Assert.StartsWith("Once upon a time", generate.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Int8WeightsKeepTheGreedyStory()
    {
        var stories = SharedModel("stories260K");
        Assert.SkipWhen(stories is null, "shared/models/stories260K is absent");
        using var temp = new TempDirectory();
        var output = temp.File("int8");
        var calib = Path.Combine(stories, "expected_greedy_200.txt");
        var run = await CliRunner.RunAsync("model", "compress", "--model", Path.Combine(stories, "stories260K.bin"), "--method", "rtn", "--bits", "8", "--calib", calib, "--calib-length", "32", "--output", output, "-q");
        Assert.Equal(ContextPressCli.ExitOk, run.ExitCode);
        Assert.Single(run.Stdout.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
        var tok = Path.Combine(stories, "tok512.bin");
        var dense = await CliRunner.RunAsync("generate", "--model", Path.Combine(stories, "stories260K.bin"), "--prompt", "Once upon a time", "-n", "24");
        var int8 = await CliRunner.RunAsync("generate", "--model", output, "--tokenizer", tok, "--prompt", "Once upon a time", "-n", "24");
        Assert.Equal(dense.Stdout, int8.Stdout);
    }

    [Theory]
    [InlineData("--bits", "5", "--bits must be 2, 3, 4 or 8")]
    [InlineData("--sparsity", "0.5", "--sparsity does not apply to --method rtn")]
    [InlineData("--calib-windows", "0", "--calib-windows must be a whole number >= 1")]
    public async Task BadSettingsAreUsageErrors(string option, string value, string message)
    {
        using var temp = new TempDirectory();
        var run = await CliRunner.RunAsync("model", "compress", "--model", temp.Path, "--method", "rtn", option, value, "--calib", temp.File("c.txt"), "--output", temp.File("out"));
        Assert.Equal(ContextPressCli.ExitUsageError, run.ExitCode);
        Assert.Contains(message, Assert.Single(run.StderrLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMissingCalibrationFileIsAnInputError()
    {
        using var temp = new TempDirectory();
        var run = await CliRunner.RunAsync("model", "compress", "--model", temp.Path, "--method", "wanda", "--calib", temp.File("missing.txt"), "--output", temp.File("out"));
        Assert.Equal(ContextPressCli.ExitInputError, run.ExitCode);
        Assert.Contains("missing.txt", Assert.Single(run.StderrLines), StringComparison.Ordinal);
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
