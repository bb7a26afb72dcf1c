using ContextPress.Classifier.Tests;
using ContextPress.Cli;
using ContextPress.Tests.TestSupport;
using Xunit;

namespace ContextPress.Tests.Cli;

/// <summary><c>contextpress compress --scorer llmlingua2 --model DIR --device ...</c> over a tiny random BERT checkpoint.</summary>
public sealed class LlmLingua2ScorerCommandTests
{
    private const string Text = "the cat sat on the mat. Paris is the capital of France? the cat sat on the mat 12 of 50 times.\nThe code is UM3OG5. ";

    [Fact]
    public async Task CompressesWithTheClassifierAndKeepsForceTokens()
    {
        using var model = TinyBert.Create();
        string dir = TinyBert.SaveToDirectory(model);
        try
        {
            string text = string.Concat(Enumerable.Repeat(Text, 12));
            CliRun run = await CliRunner.RunAsync(CliRunner.Utf8(text), "compress", "--scorer", "llmlingua2", "--model", dir, "--device", "cpu", "--rate", "0.5", "--force-tokens", "UM3OG5,?");

            Assert.Equal(ContextPressCli.ExitOk, run.ExitCode);
            Assert.StartsWith("compressed ", Assert.Single(run.StderrLines), StringComparison.Ordinal);
            Assert.InRange(run.Stdout.Length, 1, text.Length - 1);
            Assert.Equal(12, CountOf(run.Stdout, "UM3OG5"));
            Assert.Equal(12, CountOf(run.Stdout, "?"));

            // The model decides: other weights keep other words.
            using var other = TinyBert.Create(seed: 8);
            string otherDir = TinyBert.SaveToDirectory(other);
            try
            {
                CliRun second = await CliRunner.RunAsync(CliRunner.Utf8(text), "compress", "--scorer", "llmlingua2", "--model", otherDir, "--rate", "0.5", "--force-tokens", "UM3OG5,?");
                Assert.Equal(ContextPressCli.ExitOk, second.ExitCode);
                Assert.NotEqual(run.Stdout, second.Stdout);
            }
            finally
            {
                Directory.Delete(otherDir, recursive: true);
            }

            CliRun reference = await CliRunner.RunAsync(CliRunner.Utf8(text), "compress", "--scorer", "llmlingua2", "--model", dir, "--mode", "reference", "--rate", "0.5", "-f", "\\n,?", "--drop-consecutive");
            Assert.Equal(ContextPressCli.ExitOk, reference.ExitCode);
            Assert.Equal(12, CountOf(reference.Stdout, "?"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task ABadModelExitsWithOneInputErrorLine()
    {
        using var temp = new TempDirectory();
        string missing = temp.File("no-such-model");
        CliRun run = await CliRunner.RunAsync(CliRunner.Utf8(Text), "compress", "--scorer", "llmlingua2", "--model", missing);
        Assert.Equal(ContextPressCli.ExitInputError, run.ExitCode);
        Assert.Equal(string.Empty, run.Stdout);
        string line = Assert.Single(run.StderrLines);
        Assert.StartsWith(ContextPressCli.ErrorPrefix + "cannot load model", line, StringComparison.Ordinal);
        Assert.Contains("no-such-model", line, StringComparison.Ordinal);

        // A checkpoint without its vocabulary.
        using var model = TinyBert.Create();
        string dir = TinyBert.SaveToDirectory(model);
        try
        {
            File.Delete(Path.Combine(dir, "vocab.txt"));
            run = await CliRunner.RunAsync(CliRunner.Utf8(Text), "compress", "--scorer", "llmlingua2", "--model", dir);
            Assert.Equal(ContextPressCli.ExitInputError, run.ExitCode);
            Assert.Contains("vocab.txt", Assert.Single(run.StderrLines), StringComparison.Ordinal);

            File.WriteAllText(Path.Combine(dir, "config.json"), "{ not json");
            run = await CliRunner.RunAsync(CliRunner.Utf8(Text), "compress", "--scorer", "llmlingua2", "--model", dir);
            Assert.Equal(ContextPressCli.ExitInputError, run.ExitCode);
            Assert.StartsWith(ContextPressCli.ErrorPrefix + "cannot load model", Assert.Single(run.StderrLines), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("--scorer", "bert")]
    [InlineData("--scorer", "llmlingua2")] // no --model
    [InlineData("--model", "/tmp")] // --model with the default scorer
    [InlineData("--scorer", "llmlingua2", "--model", "/tmp", "--device", "tpu")]
    [InlineData("--scorer", "llmlingua2", "--model", "/tmp", "--device", "cuda")] // TorchSharp-cpu has no CUDA
    public async Task BadScorerOptionsExitWithOneUsageErrorLine(params string[] options)
    {
        CliRun run = await CliRunner.RunAsync(CliRunner.Utf8(Text), ["compress", .. options]);
        Assert.Equal(ContextPressCli.ExitUsageError, run.ExitCode);
        Assert.Equal(string.Empty, run.Stdout);
        Assert.StartsWith(ContextPressCli.ErrorPrefix, Assert.Single(run.StderrLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task MoreThanAHundredForceTokensIsAUsageError()
    {
        string tokens = string.Join(',', Enumerable.Range(0, 101).Select(i => $"t{i}"));
        CliRun run = await CliRunner.RunAsync(CliRunner.Utf8(Text), "compress", "--scorer", "llmlingua2", "--model", "/tmp", "--force-tokens", tokens);
        Assert.Equal(ContextPressCli.ExitUsageError, run.ExitCode);
        Assert.Contains("100", Assert.Single(run.StderrLines), StringComparison.Ordinal);
    }

    private static int CountOf(string text, string value)
    {
        int count = 0;
        for (int i = text.IndexOf(value, StringComparison.Ordinal); i >= 0; i = text.IndexOf(value, i + value.Length, StringComparison.Ordinal))
        {
            count++;
        }
        return count;
    }
}
