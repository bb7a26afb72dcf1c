using ContextPress.Context;
using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Text.Json;
using System.Threading.Channels;
using ContextPress.History;

namespace ContextPress.Cli;

/// <summary>The totals of one JSON Lines run.</summary>
/// <param name="Conversations">The non-blank input lines.</param>
/// <param name="Failed">The lines answered with an error line.</param>
/// <param name="TokensBefore">The tokens before, summed over the lines that succeeded.</param>
/// <param name="TokensAfter">The tokens after, summed over the lines that succeeded.</param>
/// <param name="OverBudget">The lines whose budget was infeasible.</param>
/// <param name="FirstError">The first failed line's error (in input order), or null.</param>
internal sealed record HistoryBatchTotals(long Conversations, long Failed, long TokensBefore, long TokensAfter, long OverBudget, string? FirstError);

/// <summary>
/// <c>compress-history --format jsonl</c>: reads one conversation per line as a stream, compresses the lines on
/// parallel workers and writes one output line per input line, in input order.
/// </summary>
/// <remarks>
/// Memory is bounded: the reader waits when <c>4 x workers</c> lines are in flight (read but not yet written), so a
/// file of any length needs only a few lines' worth of memory. Each line is parsed, validated and compressed on its
/// own; a bad line yields <c>{"id":..., "line":N, "error":"..."}</c> and the run goes on.
/// </remarks>
internal sealed class HistoryBatch
{
    /// <summary>The longest line accepted; longer lines get an error line.</summary>
    public const int MaxLineBytes = 256 * 1024 * 1024;

    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    private readonly ContextCompressor _compressor;
    private readonly ContextCompressionOptions _defaults;
    private readonly int _workers;

    public HistoryBatch(ContextCompressor compressor, ContextCompressionOptions defaults, int workers)
    {
        _compressor = compressor;
        _defaults = defaults;
        _workers = Math.Max(1, workers);
    }

    /// <summary>Processes every line of <paramref name="input"/>, handing each output line (UTF-8 JSON with its line feed) to <paramref name="writeLine"/> in input order.</summary>
    /// <exception cref="IOException">Reading the input or writing the output failed.</exception>
    public async Task<HistoryBatchTotals> RunAsync(Stream input, Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> writeLine, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        CancellationToken token = cts.Token;

        var work = Channel.CreateBounded<Job>(new BoundedChannelOptions(_workers * 2) { SingleWriter = true });
        var ordered = Channel.CreateBounded<Job>(new BoundedChannelOptions(_workers * 4) { SingleWriter = true, SingleReader = true });
        var totals = new Totals();

        var tasks = new List<Task>(_workers + 2)
        {
            Guard(() => ProduceAsync(input, ordered.Writer, work.Writer, token), cts),
            Guard(() => ConsumeAsync(ordered.Reader, writeLine, totals, token), cts),
        };
        for (int i = 0; i < _workers; i++)
        {
            tasks.Add(Guard(() => WorkAsync(work.Reader, token), cts));
        }

        try
        {
            await Task.WhenAll(tasks).ConfigureAwait(false);
        }
        catch (Exception) when (tasks.Any(t => t.IsFaulted && t.Exception!.InnerException is not OperationCanceledException))
        {
            // Report the failure that stopped the run rather than the cancellations it caused.
            Exception first = tasks.First(t => t.IsFaulted && t.Exception!.InnerException is not OperationCanceledException).Exception!.InnerException!;
            ExceptionDispatchInfo.Capture(first).Throw();
        }

        return new HistoryBatchTotals(totals.Conversations, totals.Failed, totals.TokensBefore, totals.TokensAfter, totals.OverBudget, totals.FirstError);
    }

    private static Task Guard(Func<Task> body, CancellationTokenSource cts) => Task.Run(async () =>
    {
        try
        {
            await body().ConfigureAwait(false);
        }
        catch
        {
            await cts.CancelAsync().ConfigureAwait(false);
            throw;
        }
    });

    private static async Task ProduceAsync(Stream input, ChannelWriter<Job> ordered, ChannelWriter<Job> work, CancellationToken token)
    {
        try
        {
            await foreach (InputLine line in ReadLinesAsync(input, token).ConfigureAwait(false))
            {
                if (!line.TooLong && IsBlank(line.Bytes.Span))
                {
                    continue;
                }

                var job = new Job(line);

                // The ordered queue first: it bounds the lines in flight, and the writer only waits on jobs already queued for a worker.
                await ordered.WriteAsync(job, token).ConfigureAwait(false);
                await work.WriteAsync(job, token).ConfigureAwait(false);
            }
        }
        finally
        {
            ordered.TryComplete();
            work.TryComplete();
        }
    }

    private async Task WorkAsync(ChannelReader<Job> work, CancellationToken token)
    {
        await foreach (Job job in work.ReadAllAsync(token).ConfigureAwait(false))
        {
            job.Done.TrySetResult(await ProcessAsync(job.Line, token).ConfigureAwait(false));
        }
    }

    private static async Task ConsumeAsync(ChannelReader<Job> ordered, Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> writeLine, Totals totals, CancellationToken token)
    {
        await foreach (Job job in ordered.ReadAllAsync(token).ConfigureAwait(false))
        {
            Outcome outcome = await job.Done.Task.WaitAsync(token).ConfigureAwait(false);
            totals.Conversations++;
            if (outcome.Error is not null)
            {
                totals.Failed++;
                totals.FirstError ??= outcome.Error;
            }
            else
            {
                totals.TokensBefore += outcome.TokensBefore;
                totals.TokensAfter += outcome.TokensAfter;
                if (!outcome.Feasible)
                {
                    totals.OverBudget++;
                }
            }

            await writeLine(outcome.Json, token).ConfigureAwait(false);
        }
    }

    private async Task<Outcome> ProcessAsync(InputLine line, CancellationToken token)
    {
        string where = string.Create(CultureInfo.InvariantCulture, $"line {line.Number}");
        if (line.TooLong)
        {
            return Failure(line, id: default, string.Create(CultureInfo.InvariantCulture, $"{where} is longer than the limit of {MaxLineBytes} bytes"));
        }

        JsonElement id = default;
        try
        {
            HistoryInput.EnsureUtf8(line.Bytes.Span, where);
            using JsonDocument document = HistoryInput.ParseLine(line.Bytes, where);
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw CliException.Input($"{where} must be a JSON object with 'id' and 'messages', but is {JsonKinds.Describe(root)}");
            }

            if (!root.TryGetProperty("id", out JsonElement idValue))
            {
                throw CliException.Input($"{where} has no 'id'");
            }

            id = idValue.Clone();
            if (!root.TryGetProperty("messages", out _))
            {
                throw CliException.Input($"{where} has no 'messages' array");
            }

            HistoryRequest request = HistoryInput.Read(root, _defaults, where);
            ContextCompressionResult result = await _compressor.CompressAsync(request.Items, request.Options, token).ConfigureAwait(false);

            var buffer = new ArrayBufferWriter<byte>(line.Bytes.Length + 1024);
            using (var json = new Utf8JsonWriter(buffer, HistoryReport.WriterOptions(indented: false)))
            {
                json.WriteStartObject();
                json.WritePropertyName("id");
                id.WriteTo(json);
                json.WritePropertyName("messages");
                Context.OpenAIChatFormat.Write(json, result.Items);
                json.WritePropertyName("report");
                HistoryReport.WriteReport(json, result, request.Options, request.Items.Count);
                json.WriteEndObject();
            }

            buffer.Write("\n"u8);
            return new Outcome(buffer.WrittenMemory, null, result.TokensBefore, result.TokensAfter, result.BudgetFeasible);
        }
        catch (CliException ex)
        {
            return Failure(line, id.ValueKind == JsonValueKind.Undefined ? TryReadId(line.Bytes.Span) : id, ex.Message);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            // Whatever goes wrong with one conversation (including a compressor bug it triggers) fails that line only.
            return Failure(line, id, $"{where}: {ex.Message}");
        }
    }

    private static Outcome Failure(InputLine line, JsonElement id, string message)
    {
        message = ContextPressCli.OneLine(message);
        var buffer = new ArrayBufferWriter<byte>(256 + message.Length);
        using (var json = new Utf8JsonWriter(buffer, HistoryReport.WriterOptions(indented: false)))
        {
            json.WriteStartObject();
            json.WritePropertyName("id");
            if (id.ValueKind == JsonValueKind.Undefined)
            {
                json.WriteNullValue();
            }
            else
            {
                id.WriteTo(json);
            }

            json.WriteNumber("line", line.Number);
            json.WriteString("error", message);
            json.WriteEndObject();
        }

        buffer.Write("\n"u8);
        return new Outcome(buffer.WrittenMemory, message, 0, 0, true);
    }

    /// <summary>
    /// Reads the top-level <c>"id"</c> of a line that is not valid JSON as far as the reader gets (a truncated line
    /// usually still starts with its id), so its error line can still name it; default when it cannot.
    /// </summary>
    private static JsonElement TryReadId(ReadOnlySpan<byte> utf8)
    {
        try
        {
            var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = 256 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return default;
            }

            while (reader.Read())
            {
                if (reader.CurrentDepth != 1 || reader.TokenType != JsonTokenType.PropertyName)
                {
                    continue;
                }

                bool isId = reader.ValueTextEquals("id"u8);
                if (!reader.Read())
                {
                    return default;
                }

                if (isId)
                {
                    return reader.TokenType switch
                    {
                        JsonTokenType.String => StringValue(reader.GetString()!),
                        JsonTokenType.Number or JsonTokenType.True or JsonTokenType.False or JsonTokenType.Null => ParseValue(reader.ValueSpan),
                        _ => default,
                    };
                }

                reader.Skip();
            }
        }
        catch (JsonException)
        {
            // Not readable up to an id.
        }

        return default;
    }

    private static JsonElement StringValue(string value)
    {
        var buffer = new ArrayBufferWriter<byte>(value.Length + 16);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStringValue(value);
        }

        return ParseValue(buffer.WrittenSpan);
    }

    private static JsonElement ParseValue(ReadOnlySpan<byte> token)
    {
        using JsonDocument document = JsonDocument.Parse(token.ToArray());
        return document.RootElement.Clone();
    }

    private static bool IsBlank(ReadOnlySpan<byte> bytes)
    {
        foreach (byte b in bytes)
        {
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Splits a stream into lines on <c>\n</c>, dropping a trailing <c>\r</c> and a leading BOM; lines over <see cref="MaxLineBytes"/> come back as <see cref="InputLine.TooLong"/>.</summary>
    private static async IAsyncEnumerable<InputLine> ReadLinesAsync(Stream input, [EnumeratorCancellation] CancellationToken token)
    {
        byte[] chunk = ArrayPool<byte>.Shared.Rent(1 << 16);
        byte[] line = new byte[1 << 12];
        int length = 0;
        bool tooLong = false;
        long number = 0;
        try
        {
            int read;
            while ((read = await input.ReadAsync(chunk.AsMemory(), token).ConfigureAwait(false)) > 0)
            {
                int position = 0;
                while (position < read)
                {
                    int newline = chunk.AsSpan(position, read - position).IndexOf((byte)'\n');
                    int end = newline < 0 ? read : position + newline;
                    Append(chunk.AsSpan(position, end - position), ref line, ref length, ref tooLong);
                    if (newline < 0)
                    {
                        break;
                    }

                    yield return Take(++number, line, length, tooLong);
                    length = 0;
                    tooLong = false;
                    position = end + 1;
                }
            }

            if (length > 0 || tooLong)
            {
                yield return Take(++number, line, length, tooLong);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    private static void Append(ReadOnlySpan<byte> bytes, ref byte[] line, ref int length, ref bool tooLong)
    {
        if (tooLong || bytes.IsEmpty)
        {
            return;
        }

        if ((long)length + bytes.Length > MaxLineBytes)
        {
            tooLong = true;
            length = 0;
            line = new byte[1 << 12];
            return;
        }

        if (length + bytes.Length > line.Length)
        {
            Array.Resize(ref line, (int)Math.Min(Math.Max((long)line.Length * 2, (long)length + bytes.Length), MaxLineBytes));
        }

        bytes.CopyTo(line.AsSpan(length));
        length += bytes.Length;
    }

    private static InputLine Take(long number, byte[] line, int length, bool tooLong)
    {
        if (tooLong)
        {
            return new InputLine(number, ReadOnlyMemory<byte>.Empty, TooLong: true);
        }

        ReadOnlySpan<byte> span = line.AsSpan(0, length);
        if (number == 1 && span.StartsWith(Utf8Bom))
        {
            span = span[3..];
        }

        if (span.EndsWith("\r"u8))
        {
            span = span[..^1];
        }

        return new InputLine(number, span.ToArray(), TooLong: false);
    }

    /// <summary>One input line.</summary>
    /// <param name="Number">Its 1-based line number.</param>
    /// <param name="Bytes">Its bytes without the line break.</param>
    /// <param name="TooLong">Whether it exceeded <see cref="MaxLineBytes"/> (then <paramref name="Bytes"/> is empty).</param>
    private readonly record struct InputLine(long Number, ReadOnlyMemory<byte> Bytes, bool TooLong);

    /// <summary>What one line produced.</summary>
    private sealed record Outcome(ReadOnlyMemory<byte> Json, string? Error, int TokensBefore, int TokensAfter, bool Feasible);

    private sealed class Job(InputLine line)
    {
        public InputLine Line { get; } = line;

        public TaskCompletionSource<Outcome> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>Running totals; only the ordered writer updates them.</summary>
    private sealed class Totals
    {
        public long Conversations { get; set; }

        public long Failed { get; set; }

        public long TokensBefore { get; set; }

        public long TokensAfter { get; set; }

        public long OverBudget { get; set; }

        public string? FirstError { get; set; }
    }
}
