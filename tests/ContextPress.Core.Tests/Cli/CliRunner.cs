using System.Text;
using ContextPress.Cli;

namespace ContextPress.Tests.Cli;

/// <summary>The outcome of one in-process CLI run.</summary>
internal sealed record CliRun(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>Gets stderr's non-empty lines.</summary>
    public string[] StderrLines => Stderr.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>Runs <see cref="ContextPressCli"/> in-process with captured streams.</summary>
internal static class CliRunner
{
    public static Task<CliRun> RunAsync(params string[] args) => RunAsync(stdin: [], stdinIsRedirected: true, args);

    public static Task<CliRun> RunAsync(byte[] stdin, params string[] args) => RunAsync(stdin, stdinIsRedirected: true, args);

    public static async Task<CliRun> RunAsync(byte[] stdin, bool stdinIsRedirected, params string[] args)
    {
        using var input = new MemoryStream(stdin, writable: false);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int exitCode = await ContextPressCli.InvokeAsync(args, input, stdinIsRedirected, stdout, stderr, TestContext.Current.CancellationToken);
        return new CliRun(exitCode, stdout.ToString(), stderr.ToString());
    }

    public static byte[] Utf8(string text) => new UTF8Encoding(false).GetBytes(text);
}

/// <summary>A temporary directory removed on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = Directory.CreateTempSubdirectory("contextpress-cli-tests-").FullName;
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // best effort
        }
    }
}
