using System.CommandLine;
using System.Globalization;
using ContextPress.Predictor.Compression;
using ContextPress.Torch.Checkpoints;

namespace ContextPress.Cli;

/// <summary><c>contextpress model info</c>: describes a checkpoint (dense, or compressed: method, bytes, per-layer layout).</summary>
internal sealed class ModelInfoCommand
{
    private readonly CliStreams _streams;

    private readonly Option<string> _model = new("--model")
    {
        Description = "A Hugging Face checkpoint directory, dense or written by 'model compress'.",
        HelpName = "DIR",
        Required = true,
    };

    private ModelInfoCommand(CliStreams streams)
    {
        _streams = streams;
    }

    /// <summary>Creates the command, bound to <paramref name="streams"/>.</summary>
    public static Command Create(CliStreams streams)
    {
        var handler = new ModelInfoCommand(streams);
        var command = new Command("info", "Describe a checkpoint: its compression method, bytes, and each compressed projection's layout.")
        {
            handler._model,
        };
        command.SetAction(handler.RunAsync);
        return command;
    }

    private async Task<int> RunAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var directory = parseResult.GetValue(_model)!;
        if (!Directory.Exists(directory))
        {
            throw CliException.Input($"model directory '{directory}' does not exist");
        }
        var output = _streams.Stdout;
        try
        {
            long tensorBytes;
            string method;
            IReadOnlyDictionary<string, CompressedLinearLayout> layouts;
            bool compressed;
            using (var checkpoint = SafetensorsCheckpoint.Open(directory))
            {
                tensorBytes = checkpoint.TensorNames.Sum(n => checkpoint.GetInfo(n).ByteLength);
                compressed = CompressedCheckpoint.TryReadLayouts(checkpoint.Metadata, out method, out layouts);
            }
            var manifest = CompressedCheckpoint.ReadManifest(directory);
            if (!compressed)
            {
                await output.WriteLineAsync($"{directory}: dense checkpoint, {ModelCompressCommand.FormatBytes(tensorBytes)} of tensors").ConfigureAwait(false);
                return ContextPressCli.ExitOk;
            }

            await output.WriteLineAsync($"{directory}: compressed ({CompressedCheckpoint.Format}), method {method}, {ModelCompressCommand.FormatBytes(tensorBytes)} of tensors").ConfigureAwait(false);
            if (manifest is not null)
            {
                if (manifest.Settings.Count > 0)
                {
                    await output.WriteLineAsync("settings: " + string.Join(", ", manifest.Settings.Select(s => $"{s.Key}={s.Value}"))).ConfigureAwait(false);
                }
                if (manifest.Calibration is { } calibration)
                {
                    await output.WriteLineAsync(
                        $"calibration: {calibration.File ?? "(text)"} sha256 {calibration.Sha256[..Math.Min(16, calibration.Sha256.Length)]}, {calibration.Windows} windows x {calibration.WindowLength} tokens").ConfigureAwait(false);
                }
                await output.WriteLineAsync(
                    $"projections: {ModelCompressCommand.FormatBytes(manifest.DenseLinearBytes)} -> {ModelCompressCommand.FormatBytes(manifest.StoredLinearBytes)}; "
                    + $"model: {ModelCompressCommand.FormatBytes(manifest.DenseModelBytes)} -> {ModelCompressCommand.FormatBytes(manifest.StoredModelBytes)}; "
                    + $"mean relative output error {manifest.MeanRelativeOutputError.ToString("F4", CultureInfo.InvariantCulture)}"
                    + (manifest.KeptDense.Count > 0 ? $"; {manifest.KeptDense.Count} projections kept dense" : "")).ConfigureAwait(false);
            }
            var errors = manifest?.Layers.ToDictionary(l => l.Name, l => l, StringComparer.Ordinal) ?? [];
            foreach (var (name, layout) in layouts)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var detail = layout.Kind switch
                {
                    CompressedLinearLayout.QuantizedKind => $"quantized {layout.Bits}-bit group {layout.GroupSize}",
                    CompressedLinearLayout.LowRankKind => $"low rank {layout.Rank}",
                    _ => $"sparse {(layout.Pattern ?? (layout.Sparsity ?? 0).ToString("P1", CultureInfo.InvariantCulture))}",
                };
                if (layout.CorrectionRank is { } rank)
                {
                    detail += $" + EoRA rank {rank}";
                }
                if (errors.TryGetValue(name, out var entry))
                {
                    detail += $", {ModelCompressCommand.FormatBytes(entry.StoredBytes)}, relative output error {entry.RelativeOutputError.ToString("F4", CultureInfo.InvariantCulture)}";
                }
                await output.WriteLineAsync($"  {name} [{layout.OutFeatures}x{layout.InFeatures}]: {detail}").ConfigureAwait(false);
            }
            return ContextPressCli.ExitOk;
        }
        catch (Exception ex) when (ex is FileNotFoundException or InvalidDataException or UnauthorizedAccessException)
        {
            throw CliException.Input($"cannot read checkpoint: {ex.Message}", ex);
        }
    }
}
