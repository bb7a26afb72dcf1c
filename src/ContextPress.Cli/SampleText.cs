namespace ContextPress.Cli;

/// <summary>Samples embedded in the CLI assembly (<c>Samples/*.txt</c>, <c>Samples/*.json</c>).</summary>
internal static class SampleText
{
    /// <summary>A rendered customer-support agent session: system prompt, tool calls with JSON and prose outputs.</summary>
    public const string AgentHistory = "agent-history.txt";

    /// <summary>A customer-support agent conversation as OpenAI chat messages: system prompt, tool calls with JSON results, a follow-up.</summary>
    public const string AgentHistoryMessages = "agent-history.json";

    private const string ResourcePrefix = "ContextPress.Cli.Samples.";

    /// <summary>Returns the bytes of the embedded sample <paramref name="fileName"/>.</summary>
    public static byte[] ReadBytes(string fileName)
    {
        using Stream stream = typeof(SampleText).Assembly.GetManifestResourceStream(ResourcePrefix + fileName)
            ?? throw new InvalidOperationException($"The embedded sample '{fileName}' is missing from the build.");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }
}
