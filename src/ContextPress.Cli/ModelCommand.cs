using System.CommandLine;

namespace ContextPress.Cli;

/// <summary><c>contextpress model</c>: commands over predictor checkpoints (<c>compress</c>, <c>info</c>).</summary>
internal static class ModelCommand
{
    /// <summary>Creates the command group, bound to <paramref name="streams"/>.</summary>
    public static Command Create(CliStreams streams) => new("model", "Compress a local predictor's weights and describe compressed checkpoints.")
    {
        ModelCompressCommand.Create(streams),
        ModelInfoCommand.Create(streams),
    };
}
