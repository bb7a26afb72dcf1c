using System.CommandLine;
using System.CommandLine.Invocation;

namespace ContextPress.Cli;

/// <summary>
/// The <c>contextpress</c> command line, runnable in-process with any streams (the executable's
/// <c>Program</c> passes the console's).
/// </summary>
public static class ContextPressCli
{
    /// <summary>Success.</summary>
    public const int ExitOk = 0;

    /// <summary>A missing, unreadable or invalid (for example not UTF-8) input, or an output that cannot be written.</summary>
    public const int ExitInputError = 1;

    /// <summary>A bad option, option value or combination of options.</summary>
    public const int ExitUsageError = 2;

    /// <summary>The run was cancelled.</summary>
    public const int ExitCancelled = 130;

    /// <summary>The prefix of every error line written to stderr.</summary>
    public const string ErrorPrefix = "contextpress: error: ";

    /// <summary>Runs the command line with stdin treated as redirected (piped or a file).</summary>
    /// <param name="args">The arguments, without the program name.</param>
    /// <param name="stdin">Read by <c>--input -</c>, and when neither <c>--input</c> nor <c>--sample</c> is given.</param>
    /// <param name="stdout">Receives the compressed text for <c>--output -</c> (the default) and help.</param>
    /// <param name="stderr">Receives the summary line and error lines.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The exit code: <see cref="ExitOk"/>, <see cref="ExitInputError"/>, <see cref="ExitUsageError"/> or <see cref="ExitCancelled"/>.</returns>
    public static Task<int> InvokeAsync(string[] args, Stream stdin, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken = default)
        => InvokeAsync(args, stdin, stdinIsRedirected: true, stdout, stderr, cancellationToken);

    /// <summary>Runs the command line.</summary>
    /// <param name="args">The arguments, without the program name.</param>
    /// <param name="stdin">Read by <c>--input -</c>, and when neither <c>--input</c> nor <c>--sample</c> is given and <paramref name="stdinIsRedirected"/>.</param>
    /// <param name="stdinIsRedirected">
    /// False when stdin is an interactive terminal: <c>compress</c> without <c>--input</c> then compresses the embedded sample
    /// instead of waiting for typed input.
    /// </param>
    /// <param name="stdout">Receives the compressed text for <c>--output -</c> (the default) and help.</param>
    /// <param name="stderr">Receives the summary line and error lines.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The exit code: <see cref="ExitOk"/>, <see cref="ExitInputError"/>, <see cref="ExitUsageError"/> or <see cref="ExitCancelled"/>.</returns>
    public static async Task<int> InvokeAsync(string[] args, Stream stdin, bool stdinIsRedirected, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdin);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);

        var streams = new CliStreams(stdin, stdinIsRedirected, stdout, stderr);
        RootCommand root = CreateRootCommand(streams);
        ParseResult parseResult = root.Parse(args);
        try
        {
            if (parseResult.Action is ParseErrorAction)
            {
                string command = parseResult.CommandResult.Command == root ? "contextpress" : $"contextpress {parseResult.CommandResult.Command.Name}";
                string message = parseResult.Errors.Count > 0 ? parseResult.Errors[0].Message : "invalid command line";
                WriteError(stderr, $"{message} (see '{command} --help')");
                return ExitUsageError;
            }

            var configuration = new InvocationConfiguration
            {
                Output = stdout,
                Error = stderr,
                EnableDefaultExceptionHandler = false,
                ProcessTerminationTimeout = null,
            };

            try
            {
                return await parseResult.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                WriteError(stderr, "cancelled");
                return ExitCancelled;
            }
            catch (CliException ex)
            {
                // Every command reports its bad input the same way: one line and the exception's exit code.
                WriteError(stderr, ex.Message);
                return ex.ExitCode;
            }
            catch (IOException ex)
            {
                // For example stdout closed or a full disk while writing.
                WriteError(stderr, $"I/O error: {ex.Message}");
                return ExitInputError;
            }
        }
        finally
        {
            await stdout.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            await stderr.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>Writes <paramref name="message"/> as one <c>contextpress: error: ...</c> line.</summary>
    internal static void WriteError(TextWriter stderr, string message)
    {
        stderr.WriteLine(ErrorPrefix + OneLine(message));
    }

    /// <summary>Collapses line breaks and tabs so a message stays on one line.</summary>
    internal static string OneLine(string message)
    {
        string[] parts = message.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return string.Join(' ', parts);
    }

    private static RootCommand CreateRootCommand(CliStreams streams)
    {
        var root = new RootCommand("ContextPress: compress prompts and agent histories to a token budget (LLMLingua-2 style, no model file needed).");
        root.Add(CompressCommand.Create(streams));
        root.Add(CompressHistoryCommand.Create(streams));
        root.Add(GenerateCommand.Create(streams));
        root.Add(ChatCommand.Create(streams));
        root.Add(ModelCommand.Create(streams));
        return root;
    }
}

/// <summary>The streams one CLI run reads and writes.</summary>
internal sealed record CliStreams(Stream Stdin, bool StdinIsRedirected, TextWriter Stdout, TextWriter Stderr);
