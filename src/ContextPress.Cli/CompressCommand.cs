using System.CommandLine;
using System.Globalization;
using System.Text;
using ContextPress.Classifier;
using ContextPress.Compression;
using ContextPress.Scoring;
using ContextPress.Tokens;
using ContextPress.Torch;

namespace ContextPress.Cli;

/// <summary><c>contextpress compress</c>: compresses a text file, stdin or the embedded sample to a rate or token budget.</summary>
internal sealed class CompressCommand
{
    private static readonly Lazy<PromptCompressor> s_o200k = new(PromptCompressor.CreateDefault);
    private static readonly Lazy<PromptCompressor> s_cl100k = new(
        () => new PromptCompressor(StatisticalTokenScorer.Default, TiktokenTokenCounter.Get(TokenEncoding.Cl100kBase)));

    private static readonly UTF8Encoding s_utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    private readonly CliStreams _streams;

    private readonly Option<string> _input = new("--input", "-i")
    {
        Description = "The text to compress: a UTF-8 file, or '-' for stdin. Default: stdin when it is redirected, otherwise the embedded sample.",
        HelpName = "FILE|-",
    };

    private readonly Option<string> _output = new("--output", "-o")
    {
        Description = "Where to write the compressed text (UTF-8, no BOM): a file, or '-' for stdout.",
        HelpName = "FILE|-",
        DefaultValueFactory = _ => "-",
    };

    private readonly Option<string> _rate = new("--rate", "-r")
    {
        Description = "Fraction of tokens to keep, in (0, 1]. Default 0.5. Cannot be combined with --target-tokens.",
        HelpName = "R",
    };

    private readonly Option<string> _targetTokens = new("--target-tokens", "-t")
    {
        Description = "Token budget of the result (a whole number >= 0). Cannot be combined with --rate.",
        HelpName = "N",
    };

    private readonly Option<string[]> _forceTokens = new("--force-tokens", "-f")
    {
        Description = "Strings that are always kept. Repeat the option or separate with commas; escapes: \\n \\t \\r \\\\ \\, (a literal comma).",
        HelpName = "TOKENS",
        AllowMultipleArgumentsPerToken = false,
    };

    private readonly Option<string> _mode = new("--mode", "-m")
    {
        Description = "Selection algorithm: 'default' (global budget, exact count) or 'reference' (LLMLingua-2 parity; counts in cl100k).",
        HelpName = "default|reference",
        DefaultValueFactory = _ => "default",
    };

    private readonly Option<string> _question = new("--question")
    {
        Description = "The question or task the compressed text must still answer; sentences sharing its rare words are kept preferentially.",
        HelpName = "TEXT",
    };

    private readonly Option<string> _encoding = CommonOptions.Encoding("Tokenizer encoding the budget is counted in.");

    private readonly Option<string> _report = CommonOptions.Report("Write a JSON report (tokens, ratio, timings) to FILE, or to stdout with '-' when --output is a file.");

    private readonly Option<bool> _sample = new("--sample")
    {
        Description = "Compress the embedded sample (an agent transcript) instead of an input.",
    };

    private readonly Option<bool> _dropConsecutive = new("--drop-consecutive")
    {
        Description = "Keep a force token repeated with nothing kept in between only once.",
    };

    private readonly Option<string> _scorer = new("--scorer")
    {
        Description = "Word scorer: 'default' (embedded statistical scorer, no model) or 'llmlingua2' (an LLMLingua-2 token classifier, BERT or XLM-R, from --model).",
        HelpName = "default|llmlingua2",
        DefaultValueFactory = _ => "default",
    };

    private readonly Option<string> _model = new("--model")
    {
        Description = "The LLMLingua-2 checkpoint directory for --scorer llmlingua2: config.json, model.safetensors and vocab.txt (BERT) or sentencepiece.bpe.model / tokenizer.json (XLM-R).",
        HelpName = "DIR",
    };

    private readonly Option<string> _device = new("--device")
    {
        Description = "Where the llmlingua2 scorer runs: auto (CUDA when available), cpu, cuda or cuda:N.",
        HelpName = "auto|cpu|cuda",
        DefaultValueFactory = _ => "auto",
    };

    private readonly Option<bool> _quiet = CommonOptions.Quiet();

    private CompressCommand(CliStreams streams)
    {
        _streams = streams;
    }

    /// <summary>Creates the command, bound to <paramref name="streams"/>.</summary>
    public static Command Create(CliStreams streams)
    {
        var handler = new CompressCommand(streams);
        var command = new Command("compress", "Compress text to a rate or token budget, keeping the most informative words.")
        {
            handler._input,
            handler._output,
            handler._rate,
            handler._targetTokens,
            handler._forceTokens,
            handler._mode,
            handler._question,
            handler._encoding,
            handler._report,
            handler._sample,
            handler._dropConsecutive,
            handler._scorer,
            handler._model,
            handler._device,
            handler._quiet,
        };
        command.SetAction(handler.RunAsync);
        return command;
    }

    private async Task<int> RunAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        CompressSettings settings = ReadSettings(parseResult);
        CliInputText input = await ReadInputAsync(settings, cancellationToken).ConfigureAwait(false);
        using TokenClassifierScorer? classifier = settings.Classifier is { } model ? LoadClassifier(model, settings.Options) : null;
        PromptCompressor compressor = classifier is not null
            ? new PromptCompressor(classifier, TiktokenTokenCounter.Get(settings.Encoding))
            : settings.Encoding == TokenEncoding.Cl100kBase ? s_cl100k.Value : s_o200k.Value;
        PromptCompressionResult result;
        try
        {
            result = await compressor.CompressAsync(input.Text, settings.Options, cancellationToken).ConfigureAwait(false);
        }
        catch (ArgumentException ex)
        {
            throw CliException.Usage(ex.Message);
        }

        await WriteOutputAsync(settings, result.Text, cancellationToken).ConfigureAwait(false);
        if (settings.ReportPath is not null)
        {
            byte[] report = CompressionReport.ToJson(result, input, settings.Options);
            await WriteReportAsync(settings.ReportPath, report, cancellationToken).ConfigureAwait(false);
        }

        if (!settings.Quiet)
        {
            await _streams.Stderr.WriteLineAsync(CompressionReport.Summary(result).AsMemory(), cancellationToken).ConfigureAwait(false);
        }

        return ContextPressCli.ExitOk;
    }

    private CompressSettings ReadSettings(ParseResult parseResult)
    {
        string? rateText = parseResult.GetValue(_rate);
        string? targetText = parseResult.GetValue(_targetTokens);
        if (rateText is not null && targetText is not null)
        {
            throw CliException.Usage("--rate and --target-tokens cannot be used together; give one of them");
        }

        double rate = rateText is null ? PromptCompressionOptions.Default.Rate : ParseRate(rateText);
        int? target = targetText is null ? null : ParseTargetTokens(targetText);

        CliPaths paths = CliPaths.Read(parseResult, _input, _sample, _output, _report, "text");
        (string? inputPath, bool sample, string outputPath, string? reportPath) = paths;

        var options = new PromptCompressionOptions
        {
            Rate = rate,
            TargetTokens = target,
            ForceTokens = ForceTokenParser.Parse(parseResult.GetValue(_forceTokens) ?? []),
            DropConsecutive = parseResult.GetValue(_dropConsecutive),
            Mode = ParseMode(parseResult.GetValue(_mode) ?? "default"),
            Question = string.IsNullOrWhiteSpace(parseResult.GetValue(_question)) ? null : parseResult.GetValue(_question),
            IncludeWordLabels = false,
        };

        try
        {
            options.Validate();
        }
        catch (ArgumentException ex)
        {
            throw CliException.Usage(ex.Message);
        }

        ClassifierSettings? classifier = ReadClassifier(parseResult, options.ForceTokens);

        InputSource source = sample ? InputSource.Sample
            : inputPath is not null ? (inputPath == "-" ? InputSource.Stdin : InputSource.File)
            : _streams.StdinIsRedirected ? InputSource.Stdin : InputSource.Sample;

        return new CompressSettings(
            source,
            inputPath,
            outputPath,
            reportPath,
            ParseEncoding(parseResult.GetValue(_encoding) ?? "o200k"),
            options,
            classifier,
            parseResult.GetValue(_quiet));
    }

    private ClassifierSettings? ReadClassifier(ParseResult parseResult, IReadOnlyList<string> forceTokens)
    {
        string scorer = (parseResult.GetValue(_scorer) ?? "default").Trim();
        string? model = parseResult.GetValue(_model);
        bool llmlingua2 = scorer.ToUpperInvariant() switch
        {
            "DEFAULT" => false,
            "LLMLINGUA2" or "LLMLINGUA-2" => true,
            _ => throw CliException.Usage($"--scorer '{scorer}' is unknown; use 'default' or 'llmlingua2'"),
        };

        if (!llmlingua2)
        {
            if (model is not null)
            {
                throw CliException.Usage("--model needs --scorer llmlingua2 (the default scorer has no model)");
            }

            return null;
        }

        if (string.IsNullOrWhiteSpace(model))
        {
            throw CliException.Usage("--scorer llmlingua2 needs --model DIR (an LLMLingua-2 checkpoint directory)");
        }

        if (forceTokens.Count > TokenClassifierScorer.MaxForceTokens)
        {
            throw CliException.Usage($"--force-tokens gives {forceTokens.Count} tokens; the llmlingua2 scorer takes at most {TokenClassifierScorer.MaxForceTokens}");
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

        return new ClassifierSettings(model, device);
    }

    private static TokenClassifierScorer LoadClassifier(ClassifierSettings settings, PromptCompressionOptions options)
    {
        try
        {
            // The scorer feeds the same force tokens to the model as the reference does ([NEWi] for multi-piece ones).
            return TokenClassifierScorer.FromPretrained(settings.ModelDirectory, new TokenClassifierScorerOptions { ForceTokens = options.ForceTokens }, settings.Device);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException or System.Text.Json.JsonException
            or ContextPress.Torch.Checkpoints.CheckpointMismatchException or NotSupportedException or ArgumentException)
        {
            throw CliException.Input($"cannot load model: {ex.Message}", ex);
        }
    }

    private static double ParseRate(string text)
    {
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double rate))
        {
            throw CliException.Usage($"--rate '{text}' is not a number; give the fraction of tokens to keep, in (0, 1]");
        }

        if (double.IsNaN(rate) || rate <= 0 || rate > 1)
        {
            throw CliException.Usage($"--rate {text} is out of range; give the fraction of tokens to keep, in (0, 1]");
        }

        return rate;
    }

    private static int ParseTargetTokens(string text)
    {
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowLeadingWhite | NumberStyles.AllowTrailingWhite, CultureInfo.InvariantCulture, out long target))
        {
            throw CliException.Usage($"--target-tokens '{text}' is not a whole number; give a token budget >= 0");
        }

        if (target < 0)
        {
            throw CliException.Usage($"--target-tokens {text} is negative; give a token budget >= 0");
        }

        return (int)Math.Min(target, int.MaxValue);
    }

    private static PromptCompressionMode ParseMode(string text) => text.Trim().ToUpperInvariant() switch
    {
        "DEFAULT" => PromptCompressionMode.Default,
        "REFERENCE" => PromptCompressionMode.Reference,
        _ => throw CliException.Usage($"--mode '{text}' is unknown; use 'default' or 'reference'"),
    };

    private static TokenEncoding ParseEncoding(string text) => text.Trim().ToUpperInvariant() switch
    {
        "O200K" or "O200K_BASE" => TokenEncoding.O200kBase,
        "CL100K" or "CL100K_BASE" => TokenEncoding.Cl100kBase,
        _ => throw CliException.Usage($"--encoding '{text}' is unknown; use 'o200k' or 'cl100k'"),
    };

    private async Task<CliInputText> ReadInputAsync(CompressSettings settings, CancellationToken cancellationToken)
    {
        switch (settings.Source)
        {
            case InputSource.Sample:
                return CliInput.Decode(SampleText.ReadBytes(SampleText.AgentHistory), "sample", "the embedded sample");
            case InputSource.Stdin:
                return CliInput.Decode(await CliInput.ReadStreamAsync(_streams.Stdin, "stdin", cancellationToken).ConfigureAwait(false), "-", "stdin");
            default:
                string path = settings.InputPath!;
                return CliInput.Decode(await CliInput.ReadFileAsync(path, cancellationToken).ConfigureAwait(false), path, $"input file '{path}'");
        }
    }

    private async Task WriteOutputAsync(CompressSettings settings, string text, CancellationToken cancellationToken)
    {
        if (settings.OutputPath == "-")
        {
            await _streams.Stdout.WriteAsync(text.AsMemory(), cancellationToken).ConfigureAwait(false);
            await _streams.Stdout.FlushAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        await WriteFileAsync(settings.OutputPath, s_utf8NoBom.GetBytes(text), "output", cancellationToken).ConfigureAwait(false);
    }

    private async Task WriteReportAsync(string path, byte[] json, CancellationToken cancellationToken)
    {
        if (path == "-")
        {
            await _streams.Stdout.WriteAsync(s_utf8NoBom.GetString(json).AsMemory(), cancellationToken).ConfigureAwait(false);
            await _streams.Stdout.WriteLineAsync().ConfigureAwait(false);
            await _streams.Stdout.FlushAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        await WriteFileAsync(path, json, "report", cancellationToken).ConfigureAwait(false);
    }

    private static async Task WriteFileAsync(string path, byte[] bytes, string what, CancellationToken cancellationToken)
    {
        try
        {
            await File.WriteAllBytesAsync(path, bytes, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw CliException.Input($"cannot write {what} file '{path}': {ex.Message}", ex);
        }
    }

    private enum InputSource
    {
        Stdin,
        File,
        Sample,
    }

    private sealed record CompressSettings(
        InputSource Source,
        string? InputPath,
        string OutputPath,
        string? ReportPath,
        TokenEncoding Encoding,
        PromptCompressionOptions Options,
        ClassifierSettings? Classifier,
        bool Quiet);

    private sealed record ClassifierSettings(string ModelDirectory, TorchSharp.torch.Device Device);
}
