using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using ContextPress.Compression;
using ContextPress.History;
using ContextPress.Scoring;
using ContextPress.Tokens;

namespace ContextPress.Cli;

/// <summary>
/// <c>contextpress compress-history</c>: compresses an OpenAI-format agent history (or a JSON Lines file of them) to a
/// token budget with the plan-aware <see cref="ContextCompressor"/>.
/// </summary>
internal sealed class CompressHistoryCommand
{
    private static readonly Lazy<ContextCompressor> s_o200k = new(ContextCompressor.CreateDefault);
    private static readonly Lazy<ContextCompressor> s_cl100k = new(
        () => new ContextCompressor(new PromptCompressor(StatisticalTokenScorer.Default, TiktokenTokenCounter.Get(TokenEncoding.Cl100kBase))));

    private static readonly UTF8Encoding s_utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    private readonly CliStreams _streams;

    private readonly Option<string> _input = new("--input", "-i")
    {
        Description = "The history: a JSON array of OpenAI chat messages, or an object with 'messages' (and optionally 'plan', " +
            "'budget_tokens', 'target_ratio'); with --format jsonl, one such object with an 'id' per line. A file, or '-' for stdin. " +
            "Default: stdin when it is redirected, otherwise the embedded sample.",
        HelpName = "FILE|-",
    };

    private readonly Option<string> _output = new("--output", "-o")
    {
        Description = "Where to write the compressed history (UTF-8 JSON, no BOM): a file, or '-' for stdout.",
        HelpName = "FILE|-",
        DefaultValueFactory = _ => "-",
    };

    private readonly Option<string> _budgetTokens = new("--budget-tokens", "-b")
    {
        Description = "Token budget of the whole history, for inputs that do not set 'budget_tokens' or 'target_ratio'. Cannot be combined with --target-ratio.",
        HelpName = "N",
    };

    private readonly Option<string> _targetRatio = new("--target-ratio", "-r")
    {
        Description = "Fraction of the non-system tokens to keep, in (0, 1], for inputs that do not set their own budget. Default 0.5. Cannot be combined with --budget-tokens.",
        HelpName = "R",
    };

    private readonly Option<string> _plan = new("--plan", "-p")
    {
        Description = "The agent's plan, for inputs without a 'plan': plain text with one step per line, or a JSON array of steps " +
            "(or {\"steps\": [...], \"current_step\": N}). Default: inferred from the latest request.",
        HelpName = "FILE",
    };

    private readonly Option<string> _lookahead = new("--lookahead", "-k")
    {
        Description = "How many plan steps from the current one count as next (>= 1). Default 3.",
        HelpName = "K",
    };

    private readonly Option<string> _protectedTurns = new("--protected-turns")
    {
        Description = "How many of the latest user turns (a user message and everything after it) are kept unchanged (>= 0). Default 0: the last user message and the latest tool step are always kept.",
        HelpName = "N",
    };

    private readonly Option<string> _format = new("--format", "-f")
    {
        Description = "'json': one history in, one out. 'jsonl': one object per line with an 'id', compressed in parallel; " +
            "each output line is {\"id\", \"messages\", \"report\"}, or {\"id\", \"line\", \"error\"} for a bad line.",
        HelpName = "json|jsonl",
        DefaultValueFactory = _ => "json",
    };

    private readonly Option<string> _jobs = new("--jobs", "-j")
    {
        Description = "Parallel workers for --format jsonl (>= 1). Default: the number of processors.",
        HelpName = "N",
    };

    private readonly Option<string> _encoding = CommonOptions.Encoding("Tokenizer encoding budgets and reports are counted in.");

    private readonly Option<string> _report = CommonOptions.Report("Write a JSON report (tokens, budget, per-message actions; for jsonl the run's totals) to FILE, or to stdout with '-' when --output is a file.");

    private readonly Option<bool> _sample = new("--sample")
    {
        Description = "Compress the embedded sample (a customer-support agent history with tool calls) instead of an input.",
    };

    private readonly Option<bool> _quiet = CommonOptions.Quiet();

    private CompressHistoryCommand(CliStreams streams)
    {
        _streams = streams;
    }

    private enum InputSource
    {
        Stdin,
        File,
        Sample,
    }

    /// <summary>Creates the command, bound to <paramref name="streams"/>.</summary>
    public static Command Create(CliStreams streams)
    {
        var handler = new CompressHistoryCommand(streams);
        var command = new Command(
            "compress-history",
            "Compress an OpenAI-format agent history to a token budget, keeping what the next plan steps need and every tool result after its call.")
        {
            handler._input,
            handler._output,
            handler._budgetTokens,
            handler._targetRatio,
            handler._plan,
            handler._lookahead,
            handler._protectedTurns,
            handler._format,
            handler._jobs,
            handler._encoding,
            handler._report,
            handler._sample,
            handler._quiet,
        };
        command.SetAction(handler.RunAsync);
        return command;
    }

    private async Task<int> RunAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        HistorySettings settings = ReadSettings(parseResult);
        ContextCompressionOptions defaults = settings.Defaults;
        if (settings.PlanPath is not null)
        {
            defaults = defaults with { Plan = await ReadPlanFileAsync(settings.PlanPath, cancellationToken).ConfigureAwait(false) };
        }

        return settings.Jsonl
            ? await RunLinesAsync(settings, defaults, cancellationToken).ConfigureAwait(false)
            : await RunSingleAsync(settings, defaults, cancellationToken).ConfigureAwait(false);
    }

    private async Task<int> RunSingleAsync(HistorySettings settings, ContextCompressionOptions defaults, CancellationToken cancellationToken)
    {
        (CliInputText input, string description) = await ReadInputAsync(settings, cancellationToken).ConfigureAwait(false);
        using JsonDocument document = HistoryInput.ParseDocument(input.Text, description);
        HistoryRequest request = HistoryInput.Read(document.RootElement, defaults, description);

        ContextCompressionResult result;
        try
        {
            result = await settings.Compressor.CompressAsync(request.Items, request.Options, cancellationToken).ConfigureAwait(false);
        }
        catch (ArgumentException ex)
        {
            // The options were validated; what is left is the input's own settings.
            throw CliException.Input($"{description}: {ex.Message}", ex);
        }

        byte[] output = HistoryReport.ConversationToJson(document.RootElement, result.Items, indented: true);
        await WriteAsync(settings.OutputPath, output, "output", cancellationToken).ConfigureAwait(false);
        if (settings.ReportPath is not null)
        {
            byte[] report = HistoryReport.ReportToJson(result, request.Options, request.Items.Count, input.Source);
            await WriteAsync(settings.ReportPath, [.. report, (byte)'\n'], "report", cancellationToken).ConfigureAwait(false);
        }

        if (!settings.Quiet)
        {
            await _streams.Stderr.WriteLineAsync(HistoryReport.Summary(result).AsMemory(), cancellationToken).ConfigureAwait(false);
        }

        return ContextPressCli.ExitOk;
    }

    private async Task<int> RunLinesAsync(HistorySettings settings, ContextCompressionOptions defaults, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var batch = new HistoryBatch(settings.Compressor, defaults, settings.Jobs);
        HistoryBatchTotals totals;

        Stream input = settings.Source == InputSource.Stdin ? _streams.Stdin : OpenInputFile(settings.InputPath!);
        try
        {
            if (settings.OutputPath == "-")
            {
                totals = await batch.RunAsync(input, WriteStdoutLineAsync, cancellationToken).ConfigureAwait(false);
                await _streams.Stdout.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            else
            {
                FileStream output = OpenOutputFile(settings.OutputPath);
                await using (output.ConfigureAwait(false))
                {
                    totals = await batch.RunAsync(input, (line, ct) => output.WriteAsync(line, ct), cancellationToken).ConfigureAwait(false);
                    await output.FlushAsync(cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw CliException.Input($"I/O error: {ex.Message}", ex);
        }
        finally
        {
            if (!ReferenceEquals(input, _streams.Stdin))
            {
                await input.DisposeAsync().ConfigureAwait(false);
            }
        }

        stopwatch.Stop();
        if (settings.ReportPath is not null)
        {
            await WriteAsync(settings.ReportPath, BatchReport(totals, settings, stopwatch.Elapsed), "report", cancellationToken).ConfigureAwait(false);
        }

        if (!settings.Quiet)
        {
            string summary = string.Create(
                CultureInfo.InvariantCulture,
                $"compressed {totals.Conversations - totals.Failed} of {totals.Conversations} conversations, {totals.TokensBefore} -> {totals.TokensAfter} tokens in {stopwatch.Elapsed.TotalSeconds:0.00} s");
            if (totals.OverBudget > 0)
            {
                summary += string.Create(CultureInfo.InvariantCulture, $"; {totals.OverBudget} over budget (what must be kept takes more)");
            }

            await _streams.Stderr.WriteLineAsync(summary.AsMemory(), cancellationToken).ConfigureAwait(false);
        }

        if (totals.Failed > 0)
        {
            ContextPressCli.WriteError(
                _streams.Stderr,
                string.Create(CultureInfo.InvariantCulture, $"{totals.Failed} of {totals.Conversations} conversations failed; the first: {totals.FirstError}"));
            return ContextPressCli.ExitInputError;
        }

        return ContextPressCli.ExitOk;
    }

    private async ValueTask WriteStdoutLineAsync(ReadOnlyMemory<byte> line, CancellationToken cancellationToken)
    {
        await _streams.Stdout.WriteAsync(s_utf8NoBom.GetString(line.Span).AsMemory(), cancellationToken).ConfigureAwait(false);
    }

    private static byte[] BatchReport(HistoryBatchTotals totals, HistorySettings settings, TimeSpan elapsed)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, HistoryReport.WriterOptions(indented: true)))
        {
            json.WriteStartObject();
            json.WriteString("source", settings.Source == InputSource.Stdin ? "-" : settings.InputPath);
            json.WriteString("format", "jsonl");
            json.WriteNumber("conversations", totals.Conversations);
            json.WriteNumber("failed", totals.Failed);
            json.WriteNumber("tokensBefore", totals.TokensBefore);
            json.WriteNumber("tokensAfter", totals.TokensAfter);
            json.WriteNumber("overBudget", totals.OverBudget);
            json.WriteNumber("jobs", settings.Jobs);
            json.WriteNumber("elapsedMs", HistoryReport.Milliseconds(elapsed));
            if (totals.FirstError is null)
            {
                json.WriteNull("firstError");
            }
            else
            {
                json.WriteString("firstError", totals.FirstError);
            }

            json.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    private HistorySettings ReadSettings(ParseResult parseResult)
    {
        string? budgetText = parseResult.GetValue(_budgetTokens);
        string? ratioText = parseResult.GetValue(_targetRatio);
        if (budgetText is not null && ratioText is not null)
        {
            throw CliException.Usage("--budget-tokens and --target-ratio cannot be used together; give one of them");
        }

        var defaults = new ContextCompressionOptions();
        if (budgetText is not null)
        {
            defaults = defaults with { BudgetTokens = ParseWholeNumber("--budget-tokens", budgetText, min: 0, "a token budget >= 0") };
        }

        if (ratioText is not null)
        {
            defaults = defaults with { TargetRatio = ParseRatio(ratioText) };
        }

        if (parseResult.GetValue(_lookahead) is string lookahead)
        {
            defaults = defaults with { LookaheadSteps = ParseWholeNumber("--lookahead", lookahead, min: 1, "a number of plan steps >= 1") };
        }

        if (parseResult.GetValue(_protectedTurns) is string protectedTurns)
        {
            defaults = defaults with { ProtectedRecentTurns = ParseWholeNumber("--protected-turns", protectedTurns, min: 0, "a number of turns >= 0") };
        }

        try
        {
            defaults.Validate();
        }
        catch (ArgumentException ex)
        {
            throw CliException.Usage(ex.Message);
        }

        bool jsonl = (parseResult.GetValue(_format) ?? "json").Trim().ToUpperInvariant() switch
        {
            "JSON" => false,
            "JSONL" or "NDJSON" => true,
            string other => throw CliException.Usage($"--format '{other}' is unknown; use 'json' or 'jsonl'"),
        };

        int jobs = Environment.ProcessorCount;
        if (parseResult.GetValue(_jobs) is string jobsText)
        {
            if (!jsonl)
            {
                throw CliException.Usage("--jobs applies to --format jsonl only");
            }

            jobs = ParseWholeNumber("--jobs", jobsText, min: 1, "a number of workers >= 1");
            jobs = Math.Min(jobs, 1024);
        }

        CliPaths paths = CliPaths.Read(parseResult, _input, _sample, _output, _report, "history");
        (string? inputPath, bool sample, string outputPath, string? reportPath) = paths;

        if (sample && jsonl)
        {
            throw CliException.Usage("--sample is one history; it cannot be used with --format jsonl");
        }

        string? planPath = parseResult.GetValue(_plan);
        if (planPath is { Length: 0 })
        {
            throw CliException.Usage("--plan needs a file path");
        }

        InputSource source;
        if (sample)
        {
            source = InputSource.Sample;
        }
        else if (inputPath is not null)
        {
            source = inputPath == "-" ? InputSource.Stdin : InputSource.File;
        }
        else if (_streams.StdinIsRedirected)
        {
            source = InputSource.Stdin;
        }
        else if (jsonl)
        {
            throw CliException.Usage("--format jsonl needs --input FILE, or '-' with the lines on stdin");
        }
        else
        {
            source = InputSource.Sample;
        }

        ContextCompressor compressor = (parseResult.GetValue(_encoding) ?? "o200k").Trim().ToUpperInvariant() switch
        {
            "O200K" or "O200K_BASE" => s_o200k.Value,
            "CL100K" or "CL100K_BASE" => s_cl100k.Value,
            string other => throw CliException.Usage($"--encoding '{other}' is unknown; use 'o200k' or 'cl100k'"),
        };

        return new HistorySettings(source, inputPath, outputPath, reportPath, planPath, defaults, jsonl, jobs, compressor, parseResult.GetValue(_quiet));
    }

    private static double ParseRatio(string text)
    {
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double ratio) || double.IsNaN(ratio))
        {
            throw CliException.Usage($"--target-ratio '{text}' is not a number; give the fraction of non-system tokens to keep, in (0, 1]");
        }

        if (!(ratio > 0 && ratio <= 1))
        {
            throw CliException.Usage($"--target-ratio {text} is out of range; give the fraction of non-system tokens to keep, in (0, 1]");
        }

        return ratio;
    }

    private static int ParseWholeNumber(string option, string text, int min, string expected)
    {
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowLeadingWhite | NumberStyles.AllowTrailingWhite, CultureInfo.InvariantCulture, out long value))
        {
            throw CliException.Usage($"{option} '{text}' is not a whole number; give {expected}");
        }

        if (value < min)
        {
            throw CliException.Usage($"{option} {text} is out of range; give {expected}");
        }

        return (int)Math.Min(value, int.MaxValue);
    }

    private static async Task<ContextPlan> ReadPlanFileAsync(string path, CancellationToken cancellationToken)
    {
        string description = $"plan file '{path}'";
        if (Directory.Exists(path))
        {
            throw CliException.Input($"plan '{path}' is a directory, not a file");
        }

        if (!File.Exists(path))
        {
            throw CliException.Input($"{description} does not exist");
        }

        CliInputText text = CliInput.Decode(await CliInput.ReadFileAsync(path, cancellationToken).ConfigureAwait(false), path, description);
        return HistoryInput.ReadPlanText(text.Text, description);
    }

    private async Task<(CliInputText Input, string Description)> ReadInputAsync(HistorySettings settings, CancellationToken cancellationToken)
    {
        switch (settings.Source)
        {
            case InputSource.Sample:
                return (CliInput.Decode(SampleText.ReadBytes(SampleText.AgentHistoryMessages), "sample", "the embedded sample"), "the embedded sample");
            case InputSource.Stdin:
                return (CliInput.Decode(await CliInput.ReadStreamAsync(_streams.Stdin, "stdin", cancellationToken).ConfigureAwait(false), "-", "stdin"), "stdin");
            default:
                string path = settings.InputPath!;
                string description = $"input file '{path}'";
                return (CliInput.Decode(await CliInput.ReadFileAsync(path, cancellationToken).ConfigureAwait(false), path, description), description);
        }
    }

    private static FileStream OpenInputFile(string path)
    {
        if (Directory.Exists(path))
        {
            throw CliException.Input($"input '{path}' is a directory, not a file");
        }

        if (!File.Exists(path))
        {
            throw CliException.Input($"input file '{path}' does not exist");
        }

        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw CliException.Input($"cannot read input file '{path}': {ex.Message}", ex);
        }
    }

    private static FileStream OpenOutputFile(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, bufferSize: 1 << 16, FileOptions.Asynchronous);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw CliException.Input($"cannot write output file '{path}': {ex.Message}", ex);
        }
    }

    private async Task WriteAsync(string path, byte[] bytes, string what, CancellationToken cancellationToken)
    {
        if (path == "-")
        {
            await _streams.Stdout.WriteAsync(s_utf8NoBom.GetString(bytes).AsMemory(), cancellationToken).ConfigureAwait(false);
            await _streams.Stdout.FlushAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        try
        {
            await File.WriteAllBytesAsync(path, bytes, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw CliException.Input($"cannot write {what} file '{path}': {ex.Message}", ex);
        }
    }

    private sealed record HistorySettings(
        InputSource Source,
        string? InputPath,
        string OutputPath,
        string? ReportPath,
        string? PlanPath,
        ContextCompressionOptions Defaults,
        bool Jsonl,
        int Jobs,
        ContextCompressor Compressor,
        bool Quiet);
}
