namespace ContextPress.Cli;

/// <summary>An error the CLI reports as one line on stderr, with its exit code.</summary>
internal sealed class CliException : Exception
{
    public CliException()
    {
    }

    public CliException(string message)
        : base(message)
    {
    }

    public CliException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    private CliException(int exitCode, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        ExitCode = exitCode;
    }

    /// <summary>Gets the process exit code.</summary>
    public int ExitCode { get; } = ContextPressCli.ExitInputError;

    /// <summary>A bad option or combination of options (exit 2).</summary>
    public static CliException Usage(string message) => new(ContextPressCli.ExitUsageError, message);

    /// <summary>A missing, unreadable or malformed input, or an unwritable output (exit 1).</summary>
    public static CliException Input(string message, Exception? innerException = null) => new(ContextPressCli.ExitInputError, message, innerException);
}
