using System.CommandLine;

namespace ContextPress.Cli;

/// <summary>Options that every compression command offers, defined once.</summary>
internal static class CommonOptions
{
    public static Option<string> Encoding(string description) => new("--encoding", "-e")
    {
        Description = description,
        HelpName = "o200k|cl100k",
        DefaultValueFactory = _ => "o200k",
    };

    public static Option<string> Report(string description) => new("--report")
    {
        Description = description,
        HelpName = "FILE|-",
    };

    public static Option<bool> Quiet() => new("--quiet", "-q")
    {
        Description = "Do not print the summary line to stderr.",
    };
}
