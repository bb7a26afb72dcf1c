using System.CommandLine;
using System.Globalization;
using ContextPress.Predictor;
using ContextPress.Predictor.Compression;
using ContextPress.Torch;
using ContextPress.Torch.Checkpoints;

namespace ContextPress.Cli;

/// <summary>
/// <c>contextpress model compress</c>: calibrates a Hugging Face checkpoint on a text file, compresses its block
/// projections with one method, and writes a compressed checkpoint that <c>generate</c>, <c>chat</c> and the predictor
/// load as it is.
/// </summary>
internal sealed class ModelCompressCommand
{
    private readonly CliStreams _streams;

    private readonly Option<string> _model = new("--model")
    {
        Description = "The dense checkpoint: a Hugging Face directory (config.json, safetensors, tokenizer) or a llama2.c .bin file.",
        HelpName = "DIR|FILE",
        Required = true,
    };

    private readonly Option<string> _tokenizer = new("--tokenizer")
    {
        Description = "A tokenizer file or directory to use instead of the one beside the checkpoint (for the calibration text).",
        HelpName = "PATH",
    };

    private readonly Option<string> _method = new("--method")
    {
        Description = $"Compression method: {ModelCompressionMethods.Names}.",
        HelpName = "METHOD",
        Required = true,
    };

    private readonly Option<string> _bits = new("--bits")
    {
        Description = "Quantization: bits per weight, 2, 3, 4 or 8. Default 4.",
        HelpName = "8|4|3|2",
    };

    private readonly Option<string> _groupSize = new("--group-size")
    {
        Description = "Quantization: input channels sharing a scale and zero point. Default 128 (capped at the layer's width).",
        HelpName = "N",
    };

    private readonly Option<string> _sparsity = new("--sparsity")
    {
        Description = "Pruning: fraction of each projection's weights set to zero, in (0, 1). Default 0.5. Cannot be combined with --pattern.",
        HelpName = "S",
    };

    private readonly Option<string> _pattern = new("--pattern")
    {
        Description = "Pruning: N:M semi-structured sparsity, N zeros in every M consecutive inputs (e.g. 2:4).",
        HelpName = "N:M",
    };

    private readonly Option<string> _ratio = new("--ratio")
    {
        Description = "Low rank: fraction of the projections' parameters removed, in (0, 1). Default 0.2.",
        HelpName = "R",
    };

    private readonly Option<string> _eoraRank = new("--eora-rank")
    {
        Description = "Add an EoRA low-rank correction of this rank to every compressed projection.",
        HelpName = "K",
    };

    private readonly Option<string> _calib = new("--calib")
    {
        Description = "Calibration text (UTF-8), tokenized with the model's tokenizer.",
        HelpName = "FILE",
        Required = true,
    };

    private readonly Option<string> _calibWindows = new("--calib-windows")
    {
        Description = "Calibration windows, taken evenly spaced over the text. Default 128.",
        HelpName = "N",
    };

    private readonly Option<string> _calibLength = new("--calib-length")
    {
        Description = "Tokens per calibration window. Default 256 (capped at the model's context).",
        HelpName = "L",
    };

    private readonly Option<string> _output = new("--output", "-o")
    {
        Description = "The directory to write the compressed checkpoint to (created; files in it are replaced).",
        HelpName = "DIR",
        Required = true,
    };

    private readonly Option<string> _device = new("--device")
    {
        Description = "Where to calibrate and compress: auto (CUDA when available), cpu, cuda or cuda:N.",
        HelpName = "auto|cpu|cuda",
        DefaultValueFactory = _ => "auto",
    };

    private readonly Option<bool> _quiet = new("--quiet", "-q")
    {
        Description = "Print only the summary, not a line per projection.",
    };

    private ModelCompressCommand(CliStreams streams)
    {
        _streams = streams;
    }

    /// <summary>Creates the command, bound to <paramref name="streams"/>.</summary>
    public static Command Create(CliStreams streams)
    {
        var handler = new ModelCompressCommand(streams);
        var command = new Command("compress", "Compress a checkpoint's block projections (quantization, pruning or low rank, with an optional EoRA correction), calibrated on a text file.")
        {
            handler._model,
            handler._tokenizer,
            handler._method,
            handler._bits,
            handler._groupSize,
            handler._sparsity,
            handler._pattern,
            handler._calib,
            handler._calibWindows,
            handler._calibLength,
            handler._output,
            handler._device,
            handler._quiet,
        };
        // Options of a family or a correction this build has no method for are not offered at all.
        if (ModelCompressionMethods.All.Any(m => m.Family == ModelCompressionFamily.LowRank))
        {
            command.Add(handler._ratio);
        }
        if (ModelCompressionMethods.Correction is not null)
        {
            command.Add(handler._eoraRank);
        }
        command.SetAction(handler.RunAsync);
        return command;
    }

    private async Task<int> RunAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var methodName = parseResult.GetValue(_method)!;
        var method = ModelCompressionMethods.Find(methodName)
            ?? throw CliException.Usage($"--method must be one of {ModelCompressionMethods.Names}, not '{methodName}'");
        var (settings, recorded) = ReadSettings(parseResult, method);
        var eoraRank = ReadInt(parseResult, _eoraRank, "--eora-rank", null, 1);
        Func<int, ILinearCorrector>? correction = null;
        if (eoraRank is not null)
        {
            correction = ModelCompressionMethods.Correction!;
            recorded["eora_rank"] = eoraRank.Value.ToString(CultureInfo.InvariantCulture);
        }
        var windows = ReadInt(parseResult, _calibWindows, "--calib-windows", 128, 1)!.Value;
        var length = ReadInt(parseResult, _calibLength, "--calib-length", null, 2);
        var calibPath = parseResult.GetValue(_calib)!;
        if (!File.Exists(calibPath))
        {
            throw CliException.Input($"calibration file '{calibPath}' does not exist");
        }
        var output = parseResult.GetValue(_output)!;
        if (output.Length == 0)
        {
            throw CliException.Usage("--output needs a directory");
        }
        TorchSharp.torch.Device device;
        try
        {
            device = TorchDevices.Resolve(parseResult.GetValue(_device));
        }
        catch (ArgumentException ex)
        {
            throw CliException.Usage(ex.ParamName is null ? ex.Message : ex.Message.Replace($" (Parameter '{ex.ParamName}')", "", StringComparison.Ordinal));
        }

        var source = parseResult.GetValue(_model)!;
        LocalModel local;
        try
        {
            local = LocalModel.Load(source, parseResult.GetValue(_tokenizer), device: device);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException or System.Text.Json.JsonException or CheckpointMismatchException or NotSupportedException)
        {
            throw CliException.Input($"cannot load model: {ex.Message}", ex);
        }
        using var model = local.Model;
        if (model.CompressedLayers.Count > 0)
        {
            throw CliException.Input($"'{source}' is already compressed; compress a dense checkpoint");
        }

        var calibrationOptions = new CalibrationOptions { Windows = windows, WindowLength = Math.Min(length ?? 256, model.Config.MaxPositionEmbeddings) };
        CalibrationSet calibration;
        try
        {
            calibration = await CalibrationSet.LoadAsync(calibPath, local.Tokenizer, calibrationOptions, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException or System.Text.DecoderFallbackException)
        {
            throw CliException.Input($"cannot read calibration text: {ex.Message}", ex);
        }

        var started = System.Diagnostics.Stopwatch.StartNew();
        ModelCompressionResult result;
        using (var statistics = CalibrationCollector.Collect(model, calibration, calibrationOptions, cancellationToken))
        {
            var options = new ModelCompressorOptions { Correction = correction?.Invoke(eoraRank!.Value) };
            if (!parseResult.GetValue(_quiet))
            {
                options.LayerCompressed = report => _streams.Stdout.WriteLine(FormatLayer(report));
            }
            try
            {
                result = ModelCompressor.Compress(model, statistics, method.Create(settings), options, cancellationToken);
            }
            catch (ArgumentException ex)
            {
                // A setting the method cannot apply to this model (e.g. a group size the layer widths do not allow).
                throw CliException.Usage($"{method.Name}: {ex.Message}");
            }
        }

        var manifest = CompressionManifest.From(result, recorded, calibration);
        try
        {
            CompressedCheckpoint.Save(model, output, manifest, Directory.Exists(source) ? source : null);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw CliException.Input($"cannot write '{output}': {ex.Message}", ex);
        }
        await _streams.Stdout.WriteLineAsync(
            $"{result.Method}: {result.Layers.Count} of {result.Layers.Count + result.KeptDense.Count} projections compressed, {FormatBytes(result.DenseLinearBytes)} -> {FormatBytes(result.StoredLinearBytes)} "
            + $"(model {FormatBytes(result.DenseModelBytes)} -> {FormatBytes(result.StoredModelBytes)}), mean relative output error "
            + $"{result.MeanRelativeOutputError.ToString("F4", CultureInfo.InvariantCulture)}, calibration {calibration.Windows.Count}x{calibration.WindowLength} tokens, "
            + $"{started.Elapsed.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture)} s; wrote {output}").ConfigureAwait(false);
        return ContextPressCli.ExitOk;
    }

    private (ModelCompressionSettings Settings, Dictionary<string, string> Recorded) ReadSettings(ParseResult parseResult, ModelCompressionMethod method)
    {
        var recorded = new Dictionary<string, string>(StringComparer.Ordinal);
        void Refuse(Option<string> option, string name)
        {
            if (parseResult.GetValue(option) is not null)
            {
                throw CliException.Usage($"{name} does not apply to --method {method.Name}");
            }
        }

        int bits = 4, groupSize = 128, patternN = 0, patternM = 0;
        double sparsity = 0.5, ratio = 0.2;
        var hasPattern = false;
        switch (method.Family)
        {
            case ModelCompressionFamily.Quantization:
                Refuse(_sparsity, "--sparsity");
                Refuse(_pattern, "--pattern");
                Refuse(_ratio, "--ratio");
                bits = ReadInt(parseResult, _bits, "--bits", 4, 2)!.Value;
                if (bits is not (2 or 3 or 4 or 8))
                {
                    throw CliException.Usage($"--bits must be 2, 3, 4 or 8, not {bits}");
                }
                groupSize = ReadInt(parseResult, _groupSize, "--group-size", 128, 1)!.Value;
                recorded["bits"] = bits.ToString(CultureInfo.InvariantCulture);
                recorded["group_size"] = groupSize.ToString(CultureInfo.InvariantCulture);
                break;
            case ModelCompressionFamily.Pruning:
                Refuse(_bits, "--bits");
                Refuse(_groupSize, "--group-size");
                Refuse(_ratio, "--ratio");
                if (parseResult.GetValue(_pattern) is { } pattern)
                {
                    if (parseResult.GetValue(_sparsity) is not null)
                    {
                        throw CliException.Usage("--sparsity and --pattern cannot be used together");
                    }
                    var parts = pattern.Split(':');
                    if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out patternN)
                        || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out patternM) || patternN < 1 || patternN >= patternM)
                    {
                        throw CliException.Usage($"--pattern must be N:M with 1 <= N < M (e.g. 2:4), not '{pattern}'");
                    }
                    hasPattern = true;
                    recorded["pattern"] = pattern;
                }
                else
                {
                    sparsity = ReadFraction(parseResult, _sparsity, "--sparsity", 0.5);
                    recorded["sparsity"] = sparsity.ToString("R", CultureInfo.InvariantCulture);
                }
                break;
            default:
                Refuse(_bits, "--bits");
                Refuse(_groupSize, "--group-size");
                Refuse(_sparsity, "--sparsity");
                Refuse(_pattern, "--pattern");
                ratio = ReadFraction(parseResult, _ratio, "--ratio", 0.2);
                recorded["ratio"] = ratio.ToString("R", CultureInfo.InvariantCulture);
                break;
        }
        var settings = new ModelCompressionSettings(bits, groupSize, hasPattern ? null : sparsity, hasPattern ? patternN : null, hasPattern ? patternM : null, ratio);
        return (settings, recorded);
    }

    private static int? ReadInt(ParseResult parseResult, Option<string> option, string name, int? fallback, int minimum)
    {
        if (parseResult.GetValue(option) is not { } text)
        {
            return fallback;
        }
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= minimum
            ? value
            : throw CliException.Usage($"{name} must be a whole number >= {minimum}, not '{text}'");
    }

    private static double ReadFraction(ParseResult parseResult, Option<string> option, string name, double fallback)
    {
        if (parseResult.GetValue(option) is not { } text)
        {
            return fallback;
        }
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0 && value < 1
            ? value
            : throw CliException.Usage($"{name} must be a number in (0, 1), not '{text}'");
    }

    private static string FormatLayer(LinearCompressionReport report)
    {
        var layout = report.Layout;
        var detail = layout.Kind switch
        {
            CompressedLinearLayout.QuantizedKind => $"{layout.Bits}-bit g{layout.GroupSize}",
            CompressedLinearLayout.LowRankKind => $"rank {layout.Rank}",
            _ => layout.Pattern ?? $"{(layout.Sparsity ?? 0).ToString("P1", CultureInfo.InvariantCulture)} zeros",
        };
        if (layout.CorrectionRank is { } rank)
        {
            detail += $" + EoRA {rank}";
        }
        return $"{report.Name}: {detail}, {FormatBytes(report.DenseBytes)} -> {FormatBytes(report.StoredBytes)}, relative output error {report.RelativeOutputError.ToString("F4", CultureInfo.InvariantCulture)}";
    }

    internal static string FormatBytes(long bytes) => bytes switch
    {
        >= 1 << 30 => (bytes / (double)(1 << 30)).ToString("F2", CultureInfo.InvariantCulture) + " GiB",
        >= 1 << 20 => (bytes / (double)(1 << 20)).ToString("F2", CultureInfo.InvariantCulture) + " MiB",
        >= 1 << 10 => (bytes / 1024.0).ToString("F1", CultureInfo.InvariantCulture) + " KiB",
        _ => bytes.ToString(CultureInfo.InvariantCulture) + " B",
    };
}
