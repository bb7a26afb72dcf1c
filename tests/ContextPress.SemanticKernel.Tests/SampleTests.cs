namespace ContextPress.SemanticKernel.Tests;

/// <summary>The samples' offline runs, as a user would start them: both complete the task, with and without ContextPress, and ContextPress sends fewer tokens.</summary>
public class SampleTests
{
    [Fact]
    public async Task SemanticKernelAgent_OfflineRun_CompletesTheTaskWithFewerTokens() =>
        AssertReport(await RunAsync(Samples.SemanticKernelAgent.Program.RunAsync));

    [Fact]
    public async Task ChatClientPipeline_OfflineRun_CompletesTheTaskWithFewerTokens() =>
        AssertReport(await RunAsync(Samples.ChatClientPipeline.Program.RunAsync));

    private static async Task<(int ExitCode, string Output)> RunAsync(Func<TextWriter, bool, CancellationToken, Task<int>> run)
    {
        using var output = new StringWriter();
        int exitCode = await run(output, true, TestContext.Current.CancellationToken);
        return (exitCode, output.ToString());
    }

    private static void AssertReport((int ExitCode, string Output) run)
    {
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("task completed without ContextPress: yes", run.Output, StringComparison.Ordinal);
        Assert.Contains("task completed with ContextPress:    yes", run.Output, StringComparison.Ordinal);
        var total = System.Text.RegularExpressions.Regex.Match(run.Output, @"total \|\s+([\d,]+) \|\s+([\d,]+)");
        Assert.True(total.Success, run.Output);
        int before = int.Parse(total.Groups[1].Value.Replace(",", string.Empty, StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture);
        int after = int.Parse(total.Groups[2].Value.Replace(",", string.Empty, StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(after < before / 2, run.Output);
    }
}
