using System.CommandLine;

namespace ContextPress.Cli;

/// <summary>The input/output/report paths every command takes, checked the same way.</summary>
/// <param name="Input">The input path (<c>-</c> for stdin), or null.</param>
/// <param name="Sample">Whether the embedded sample was asked for.</param>
/// <param name="Output">The output path (<c>-</c> for stdout).</param>
/// <param name="Report">The report path (<c>-</c> for stdout), or null.</param>
internal sealed record CliPaths(string? Input, bool Sample, string Output, string? Report)
{
    /// <summary>Reads and checks the paths; <paramref name="outputName"/> names what --output receives.</summary>
    public static CliPaths Read(ParseResult parseResult, Option<string> input, Option<bool> sample, Option<string> output, Option<string> report, string outputName)
    {
        string? inputPath = parseResult.GetValue(input);
        bool useSample = parseResult.GetValue(sample);
        if (useSample && inputPath is not null)
        {
            throw CliException.Usage("--input and --sample cannot be used together");
        }

        if (inputPath is { Length: 0 })
        {
            throw CliException.Usage("--input needs a file path or '-' for stdin");
        }

        string outputPath = parseResult.GetValue(output) ?? "-";
        if (outputPath.Length == 0)
        {
            throw CliException.Usage("--output needs a file path or '-' for stdout");
        }

        string? reportPath = parseResult.GetValue(report);
        if (reportPath is { Length: 0 })
        {
            throw CliException.Usage("--report needs a file path");
        }

        if (reportPath == "-" && outputPath == "-")
        {
            throw CliException.Usage($"--report - writes the report to stdout, which needs --output FILE for the {outputName}");
        }

        return new CliPaths(inputPath, useSample, outputPath, reportPath);
    }
}
