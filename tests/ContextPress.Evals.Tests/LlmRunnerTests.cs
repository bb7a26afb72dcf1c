using ContextPress.Evals.Running;
using ContextPress.Tokens;

namespace ContextPress.Evals.Tests;

public sealed class LlmRunnerTests
{
    [Fact]
    public async Task IsSkippedCleanlyWithoutAnApiKey()
    {
        Assert.SkipWhen(!string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("OPENAI_API_KEY")), "OPENAI_API_KEY is set: the real-LLM mode would run.");

        string section = await LlmRunner.RunAsync(SuiteOptions.Smoke, TiktokenTokenCounter.O200k, TestContext.Current.CancellationToken);

        Assert.StartsWith("Skipped: OPENAI_API_KEY is not set.", section, StringComparison.Ordinal);
    }
}
