using ContextPress.Cli;

namespace ContextPress.Tests.Cli;

/// <summary><c>contextpress generate</c> and <c>chat</c> over stories260K (skipped when <c>shared/models</c> is absent).</summary>
public sealed class PredictorCommandsTests
{
    private static string? StoriesDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "models", "stories260K");
            if (File.Exists(Path.Combine(candidate, "stories260K.bin")))
            {
                return candidate;
            }
        }
        return null;
    }

    [Fact]
    public async Task GenerateFromBosPrintsLlama2csGreedyText()
    {
        var dir = StoriesDirectory();
        Assert.SkipWhen(dir is null, "shared/models/stories260K is absent");
        var run = await CliRunner.RunAsync("generate", "--model", Path.Combine(dir, "stories260K.bin"), "--max-tokens", "200", "--device", "cpu");
        Assert.Equal(ContextPressCli.ExitOk, run.ExitCode);
        Assert.Equal("", run.Stderr);
        var expected = await File.ReadAllTextAsync(Path.Combine(dir, "expected_greedy_200.txt"), TestContext.Current.CancellationToken);
        Assert.Equal(expected + Environment.NewLine, run.Stdout);
    }

    [Fact]
    public async Task GenerateContinuesAPromptAndSamplesReproduciblyWithASeed()
    {
        var dir = StoriesDirectory();
        Assert.SkipWhen(dir is null, "shared/models/stories260K is absent");
        var model = Path.Combine(dir, "stories260K.bin");
        var greedy = await CliRunner.RunAsync("generate", "--model", model, "--prompt", "Once upon a time", "-n", "30");
        Assert.Equal(ContextPressCli.ExitOk, greedy.ExitCode);
        Assert.StartsWith("Once upon a time, there was a little girl named Lily.", greedy.Stdout, StringComparison.Ordinal);

        var first = await CliRunner.RunAsync("generate", "--model", model, "--prompt", "Once upon a time", "-n", "40", "--temperature", "1", "--seed", "7");
        var second = await CliRunner.RunAsync("generate", "--model", model, "--prompt", "Once upon a time", "-n", "40", "--temperature", "1", "--seed", "7");
        var other = await CliRunner.RunAsync("generate", "--model", model, "--prompt", "Once upon a time", "-n", "40", "--temperature", "1", "--seed", "8");
        Assert.Equal(first.Stdout, second.Stdout);
        Assert.NotEqual(first.Stdout, other.Stdout);
    }

    [Fact]
    public async Task ChatKeepsTheConversation()
    {
        var dir = StoriesDirectory();
        Assert.SkipWhen(dir is null, "shared/models/stories260K is absent");
        var model = Path.Combine(dir, "stories260K.bin");
        var chat = await CliRunner.RunAsync(CliRunner.Utf8("Lily had a ball.\n\nTom saw it.\n"), "chat", "--model", model, "-n", "20");
        Assert.Equal(ContextPressCli.ExitOk, chat.ExitCode);
        var replies = chat.Stdout.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, replies.Length);

        // Raw template: the first reply continues the first line, exactly as generate does.
        var generate = await CliRunner.RunAsync("generate", "--model", model, "--prompt", "Lily had a ball.", "-n", "20");
        Assert.Equal("Lily had a ball." + " " + replies[0] + Environment.NewLine, generate.Stdout);

        // The second reply continues the whole conversation, not the second line alone.
        var alone = await CliRunner.RunAsync(CliRunner.Utf8("Tom saw it.\n"), "chat", "--model", model, "-n", "20");
        Assert.NotEqual(alone.Stdout.Trim(), replies[1]);
    }

    [Fact]
    public async Task AMissingModelIsOneInputErrorLine()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"cp-missing-{Guid.NewGuid():N}", "model.bin");
        var run = await CliRunner.RunAsync("generate", "--model", missing, "--prompt", "hi");
        Assert.Equal(ContextPressCli.ExitInputError, run.ExitCode);
        Assert.Equal("", run.Stdout);
        var line = Assert.Single(run.StderrLines);
        Assert.StartsWith(ContextPressCli.ErrorPrefix + "cannot load model: Model '", line, StringComparison.Ordinal);
        Assert.Contains("does not exist", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFileThatIsNoCheckpointIsOneInputErrorLine()
    {
        using var temp = new TempDirectory();
        await File.WriteAllTextAsync(temp.File("model.bin"), "not a checkpoint", TestContext.Current.CancellationToken);
        var run = await CliRunner.RunAsync("generate", "--model", temp.File("model.bin"));
        Assert.Equal(ContextPressCli.ExitInputError, run.ExitCode);
        var line = Assert.Single(run.StderrLines);
        Assert.StartsWith(ContextPressCli.ErrorPrefix + "cannot load model: ", line, StringComparison.Ordinal);
        Assert.Contains("llama2.c header", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--max-tokens", "0", "--max-tokens must be")]
    [InlineData("--temperature", "-1", "--temperature must be")]
    [InlineData("--top-p", "1.5", "--top-p must be")]
    [InlineData("--device", "tpu", "Unknown device 'tpu' (auto, cpu, cuda, cuda:N).")]
    public async Task BadValuesAreUsageErrors(string option, string value, string message)
    {
        var run = await CliRunner.RunAsync("generate", "--model", "whatever.bin", option, value);
        Assert.Equal(ContextPressCli.ExitUsageError, run.ExitCode);
        var line = Assert.Single(run.StderrLines);
        Assert.Contains(message, line, StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ModelIsRequired()
    {
        var run = await CliRunner.RunAsync("generate", "--prompt", "hi");
        Assert.Equal(ContextPressCli.ExitUsageError, run.ExitCode);
        Assert.Contains("--model", Assert.Single(run.StderrLines), StringComparison.Ordinal);
    }
}
