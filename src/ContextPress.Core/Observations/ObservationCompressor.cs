using System.Diagnostics;
using System.Text;
using System.Text.Json;
using ContextPress.Compression;
using ContextPress.Compression.Json;
using ContextPress.Diagnostics;
using ContextPress.History;
using ContextPress.Segments;
using ContextPress.Tokens;

namespace ContextPress.Observations;

/// <summary>
/// Compresses a tool result as it arrives (observation compression), before it enters the history: JSON through
/// <see cref="StructuredJsonCompressor"/> (keys, ids, amounts and structure kept, long strings compressed, long arrays
/// trimmed with a marker), anything else through <see cref="PromptCompressor"/>.
/// </summary>
/// <remarks>
/// Values named by the call's arguments or the latest request (ids, amounts, e-mails, dates) are kept in every
/// result, since the agent's next steps are most likely to use them. Thread-safe.
/// </remarks>
public sealed class ObservationCompressor
{
    private const int MinimumTargetTokens = 16;

    /// <summary>Initializes a new instance of the <see cref="ObservationCompressor"/> class.</summary>
    /// <param name="promptCompressor">Compresses prose results.</param>
    /// <param name="jsonCompressor">Compresses JSON results; one over <paramref name="promptCompressor"/> when null.</param>
    /// <param name="segmentCompressor">
    /// Compresses prose results segment by segment through its shared cache, so a document or result that recurs (in
    /// later turns, other queries, other agents) is compressed once; null to compress every result afresh.
    /// </param>
    public ObservationCompressor(PromptCompressor promptCompressor, StructuredJsonCompressor? jsonCompressor = null, SegmentCompressor? segmentCompressor = null)
    {
        ArgumentNullException.ThrowIfNull(promptCompressor);
        PromptCompressor = promptCompressor;
        JsonCompressor = jsonCompressor ?? new StructuredJsonCompressor(promptCompressor);
        SegmentCompressor = segmentCompressor;
    }

    /// <summary>Gets the prose compressor.</summary>
    public PromptCompressor PromptCompressor { get; }

    /// <summary>Gets the JSON compressor.</summary>
    public StructuredJsonCompressor JsonCompressor { get; }

    /// <summary>Gets the cached segment compressor used for prose results, if any.</summary>
    public SegmentCompressor? SegmentCompressor { get; }

    /// <summary>Gets the counter thresholds and targets are measured with.</summary>
    public ITokenCounter TokenCounter => PromptCompressor.TokenCounter;

    /// <summary>Creates a compressor with the embedded scorer, counting in o200k_base.</summary>
    /// <returns>A compressor that needs no model file.</returns>
    public static ObservationCompressor CreateDefault() => new(PromptCompressor.CreateDefault());

    /// <summary>Compresses <paramref name="result"/> when it is over the threshold of <paramref name="options"/>.</summary>
    /// <param name="result">The tool result as the model would see it.</param>
    /// <param name="options">Threshold and target; <see cref="ObservationCompressionOptions.Default"/> when null.</param>
    /// <param name="context">The call and request the result answers, for the values that must survive.</param>
    /// <param name="cancellationToken">Cancels the compression.</param>
    /// <returns>The text to use and its token counts; the original text when it is at or under the threshold or compression would not shrink it.</returns>
    public ValueTask<ObservationCompressionResult> CompressAsync(
        string result,
        ObservationCompressionOptions? options = null,
        ObservationContext? context = null,
        CancellationToken cancellationToken = default) =>
        CompressAsync(result, options, context, "observation", cancellationToken);

    /// <summary>Compresses as <see cref="CompressAsync(string, ObservationCompressionOptions?, ObservationContext?, CancellationToken)"/>, reporting telemetry under <paramref name="compressorName"/>.</summary>
    internal async ValueTask<ObservationCompressionResult> CompressAsync(
        string result,
        ObservationCompressionOptions? options,
        ObservationContext? context,
        string compressorName,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(result);
        options ??= ObservationCompressionOptions.Default;
        options.Validate();

        int before = TokenCounter.CountTokens(result);
        bool isJson = StructuredJsonCompressor.LooksLikeJson(result);
        if (before <= options.ThresholdTokens)
        {
            ContextPressTelemetry.Skipped.Add(1, new KeyValuePair<string, object?>("contextpress.compressor", compressorName));
            return Unchanged(result, before, isJson);
        }

        using Activity? activity = ContextPressTelemetry.ActivitySource.StartActivity("contextpress.compress_observation");
        activity?.SetTag("contextpress.tool.name", context?.ToolName);
        long started = Stopwatch.GetTimestamp();

        int target = Math.Max(MinimumTargetTokens, (int)(before * options.TargetRatio));
        if (options.MaxTokens is int cap)
        {
            target = Math.Min(target, Math.Max(MinimumTargetTokens, cap));
        }

        string[] protectedValues = ProtectedValues(context);
        string compressed;
        int cacheHits = 0, cacheMisses = 0;
        if (isJson)
        {
            JsonCompressionResult json = await JsonCompressor.CompressAsync(
                result,
                new JsonCompressionOptions { TargetTokens = target, ProtectedValues = protectedValues },
                cancellationToken).ConfigureAwait(false);
            compressed = json.Json;
        }
        else if (await CompressCachedAsync(result, target, options.TargetRatio, protectedValues, cancellationToken).ConfigureAwait(false) is { } cached)
        {
            compressed = cached.Text;
            cacheHits = cached.CacheHits;
            cacheMisses = cached.CacheMisses;
        }
        else
        {
            PromptCompressionResult prose = await PromptCompressor.CompressAsync(
                result,
                PromptCompressor.DefaultOptions with
                {
                    TargetTokens = target,
                    ForceTokens = [.. PromptCompressor.DefaultOptions.ForceTokens, .. protectedValues.Where(v => result.Contains(v, StringComparison.Ordinal))],
                    Question = context?.Request,
                    IncludeWordLabels = false,
                },
                cancellationToken).ConfigureAwait(false);
            compressed = prose.Text;
        }

        int after = TokenCounter.CountTokens(compressed);
        if (after >= before)
        {
            return Unchanged(result, before, isJson);
        }

        KeyValuePair<string, object?> tag = new("contextpress.compressor", compressorName);
        ContextPressTelemetry.InputTokens.Add(before, tag);
        ContextPressTelemetry.OutputTokens.Add(after, tag);
        ContextPressTelemetry.Duration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tag);
        ContextPressTelemetry.Ratio.Record((double)before / Math.Max(1, after), tag);
        activity?.SetTag("contextpress.tokens.input", before);
        activity?.SetTag("contextpress.tokens.output", after);
        return new ObservationCompressionResult
        {
            Text = compressed,
            TokensBefore = before,
            TokensAfter = after,
            Compressed = true,
            IsJson = isJson,
            SegmentCacheHits = cacheHits,
            SegmentCacheMisses = cacheMisses,
        };
    }

    /// <summary>
    /// Compresses prose through the segment cache (query-agnostic, at the target ratio per segment); null when there is
    /// no segment compressor, or when the cached version misses the target by more than 10 % or lost a value the call
    /// or request names, in which case the caller compresses afresh with those values forced.
    /// </summary>
    private async ValueTask<SegmentCompressionResult?> CompressCachedAsync(string text, int target, double ratio, string[] protectedValues, CancellationToken cancellationToken)
    {
        if (SegmentCompressor is null)
        {
            return null;
        }

        SegmentCompressionResult segments = await SegmentCompressor
            .CompressAsync(text, SegmentCompressor.DefaultOptions with { Rate = ratio }, cancellationToken)
            .ConfigureAwait(false);
        bool keepsValues = protectedValues.All(v => !text.Contains(v, StringComparison.Ordinal) || segments.Text.Contains(v, StringComparison.Ordinal));
        return keepsValues && TokenCounter.CountTokens(segments.Text) <= target * 1.1 ? segments : null;
    }

    private static string[] ProtectedValues(ObservationContext? context)
    {
        if (context is null)
        {
            return [];
        }

        // Pinned values keep every record that holds them, so only distinctive ones are worth it: not short ones
        // ("40", "v2") and not plain lower-case words ("e-mail", "order's"), which occur everywhere by chance.
        return [.. CriticalValues.Extract($"{ArgumentValues(context.ArgumentsJson)}\n{context.Request}")
            .Where(v => v.Length >= 4 && v.Any(c => char.IsDigit(c) || char.IsUpper(c) || c == '@'))
            .Distinct(StringComparer.Ordinal)];
    }

    /// <summary>The argument values (not the parameter names), one per line; the text itself when it is not a JSON object.</summary>
    private static string ArgumentValues(string? argumentsJson)
    {
        if (string.IsNullOrWhiteSpace(argumentsJson))
        {
            return string.Empty;
        }

        try
        {
            using var document = JsonDocument.Parse(argumentsJson);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return argumentsJson;
            }

            StringBuilder values = new();
            foreach (JsonProperty property in document.RootElement.EnumerateObject())
            {
                values.Append(property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : property.Value.GetRawText()).Append('\n');
            }

            return values.ToString();
        }
        catch (JsonException)
        {
            return argumentsJson;
        }
    }

    private static ObservationCompressionResult Unchanged(string result, int tokens, bool isJson) =>
        new() { Text = result, TokensBefore = tokens, TokensAfter = tokens, Compressed = false, IsJson = isJson };
}
