using System.Diagnostics;
using System.Globalization;
using System.Text;
using ContextPress.Compression;
using ContextPress.Compression.Json;
using ContextPress.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ContextPress.Segments;

/// <summary>
/// Segment compression (after CompLLM): a long input is cut into segments that are compressed independently of any
/// query, so each compressed segment is computed once and reused, through an <see cref="ISegmentCache"/>, by later
/// turns, other queries and other agent instances. Query-aware selection of segments runs on top, uncached
/// (<see cref="CompressForQuestionAsync"/>).
/// </summary>
/// <remarks>
/// <para>
/// Prose segments are compressed by the <see cref="PromptCompressor"/> at <see cref="SegmentCompressionOptions.Rate"/>.
/// JSON elements go through <see cref="StructuredJsonCompressor"/> at its default level: token deletion would break
/// JSON syntax, while the structural compressor keeps keys, ids and numbers exact and always writes valid JSON, so the
/// assembled document stays parseable; and it needs no query, so its output is cacheable.
/// </para>
/// <para>
/// The output for a given text, options and scorer is deterministic, so a cached compression is byte-identical to a
/// fresh one. A cache fault never fails a call: the segment is compressed instead. Thread-safe.
/// </para>
/// </remarks>
public sealed partial class SegmentCompressor
{
    /// <summary>The version of the segment pipeline, part of every fingerprint; bump it when an output could change.</summary>
    public const string PipelineVersion = "segments/v1";

    private readonly StructuredJsonCompressor _jsonCompressor;
    private readonly ILogger _logger;
    private int _cacheFaulted;

    /// <summary>Initializes a new instance of the <see cref="SegmentCompressor"/> class.</summary>
    /// <param name="promptCompressor">Compresses prose segments; its counter measures every segment.</param>
    /// <param name="cache">The shared cache; a new <see cref="InMemorySegmentCache"/> with default bounds when null.</param>
    /// <param name="logger">Optional logger.</param>
    /// <param name="defaultOptions">Options for calls that pass none; <see cref="SegmentCompressionOptions.Default"/> when null.</param>
    /// <param name="jsonCompressor">Compresses JSON elements; one over <paramref name="promptCompressor"/> when null.</param>
    public SegmentCompressor(
        PromptCompressor promptCompressor,
        ISegmentCache? cache = null,
        ILogger<SegmentCompressor>? logger = null,
        SegmentCompressionOptions? defaultOptions = null,
        StructuredJsonCompressor? jsonCompressor = null)
    {
        ArgumentNullException.ThrowIfNull(promptCompressor);
        defaultOptions?.Validate();
        PromptCompressor = promptCompressor;
        Cache = cache ?? new InMemorySegmentCache();
        DefaultOptions = defaultOptions ?? SegmentCompressionOptions.Default;
        _jsonCompressor = jsonCompressor ?? new StructuredJsonCompressor(promptCompressor);
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        string name = Cache.GetType().Name;
        CacheTag = Cache is InMemorySegmentCache ? "memory"
            : (name.EndsWith("SegmentCache", StringComparison.Ordinal) && name.Length > "SegmentCache".Length ? name[..^"SegmentCache".Length] : name).ToLowerInvariant();
    }

    /// <summary>Gets the compressor of prose segments.</summary>
    public PromptCompressor PromptCompressor { get; }

    /// <summary>Gets the cache of compressed segments.</summary>
    public ISegmentCache Cache { get; }

    /// <summary>Gets the options used by calls that pass none.</summary>
    public SegmentCompressionOptions DefaultOptions { get; }

    /// <summary>
    /// Gets the fingerprint of this compressor with <paramref name="options"/>: the pipeline version, the scorer's
    /// fingerprint (model and version), the encoding and every setting that changes a segment's output. The query,
    /// the namespace and the time to live are not part of it.
    /// </summary>
    /// <param name="options">The options; <see cref="DefaultOptions"/> when null.</param>
    /// <returns>The fingerprint.</returns>
    public string GetFingerprint(SegmentCompressionOptions? options = null)
    {
        options ??= DefaultOptions;
        var builder = new StringBuilder(160);
        builder.Append(PipelineVersion)
            .Append(";scorer=").Append(PromptCompressor.Scorer.Fingerprint)
            .Append(";encoding=").Append(PromptCompressor.TokenCounter.EncodingName)
            .Append(";rate=").Append(options.Rate.ToString("R", CultureInfo.InvariantCulture))
            .Append(";digits=").Append(options.ForceReserveDigit ? '1' : '0')
            .Append(";force=").Append(options.ForceTokens.Count);
        foreach (string token in options.ForceTokens)
        {
            builder.Append(',').Append(token.Length).Append(':').Append(token);
        }

        builder.Append(";json=");
        if (options.CompressJsonElements)
        {
            JsonCompressionOptions json = JsonCompressionOptions.Default;
            builder.Append("structured/level").Append(StructuredJsonCompressor.DefaultLevel)
                .Append("/items").Append(json.MaxArrayItems)
                .Append("/long").Append(json.LongStringTokens)
                .Append("/boilerplate:").AppendJoin('|', json.BoilerplateKeys);
        }
        else
        {
            builder.Append("minified");
        }

        return builder.ToString();
    }

    /// <summary>Cuts <paramref name="text"/> into segments as <see cref="CompressAsync"/> would.</summary>
    /// <param name="text">The document.</param>
    /// <param name="options">The options; <see cref="DefaultOptions"/> when null.</param>
    /// <returns>The segmented document.</returns>
    /// <exception cref="FormatException"><see cref="SegmentationMode.JsonElement"/> and the text is not a JSON array or object.</exception>
    public SegmentedDocument Segment(string text, SegmentCompressionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        options ??= DefaultOptions;
        options.Validate();
        return DocumentSegmenter.Split(text, options.Mode, options.MaxSegmentTokens, PromptCompressor.TokenCounter);
    }

    /// <summary>Compresses <paramref name="text"/> segment by segment, reading and filling the cache.</summary>
    /// <param name="text">The document (prose or JSON).</param>
    /// <param name="options">The options; <see cref="DefaultOptions"/> when null.</param>
    /// <param name="cancellationToken">Cancels the compression.</param>
    /// <returns>The compressed document and each segment's outcome.</returns>
    /// <exception cref="FormatException"><see cref="SegmentationMode.JsonElement"/> and the text is not a JSON array or object.</exception>
    public async ValueTask<SegmentCompressionResult> CompressAsync(string text, SegmentCompressionOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        options ??= DefaultOptions;
        options.Validate();
        long started = Stopwatch.GetTimestamp();
        using Activity? activity = ContextPressTelemetry.ActivitySource.StartActivity("contextpress.compress_segments");

        SegmentedDocument document = DocumentSegmenter.Split(text, options.Mode, options.MaxSegmentTokens, PromptCompressor.TokenCounter);
        string fingerprint = GetFingerprint(options);
        IReadOnlyList<TextSegment> segments = document.Segments;

        // Distinct keys of the segments worth compressing; repeated segments share one lookup.
        var slots = new int[segments.Count];
        var keys = new List<SegmentCacheKey>();
        var firstSegment = new List<int>();
        var slotOf = new Dictionary<SegmentCacheKey, int>();
        for (int i = 0; i < segments.Count; i++)
        {
            TextSegment segment = segments[i];
            if (segment.Tokens < options.MinCompressTokens)
            {
                slots[i] = -1;
                continue;
            }

            SegmentCacheKey key = SegmentCacheKey.Create(options.Namespace, fingerprint, segment.Kind, segment.Text);
            if (!slotOf.TryGetValue(key, out int slot))
            {
                slot = keys.Count;
                slotOf.Add(key, slot);
                keys.Add(key);
                firstSegment.Add(i);
            }

            slots[i] = slot;
        }

        IReadOnlyList<CachedSegment?> cached = await GetAsync(keys, cancellationToken).ConfigureAwait(false);
        var values = new CachedSegment?[keys.Count];
        var hit = new bool[keys.Count];
        var fresh = new List<SegmentCacheEntry>();
        for (int slot = 0; slot < keys.Count; slot++)
        {
            if (cached[slot] is { } value)
            {
                values[slot] = value;
                hit[slot] = true;
                continue;
            }

            TextSegment segment = segments[firstSegment[slot]];
            values[slot] = await CompressSegmentAsync(segment, options, cancellationToken).ConfigureAwait(false);
            fresh.Add(new SegmentCacheEntry(keys[slot], values[slot]!));
        }

        if (fresh.Count > 0)
        {
            await SetAsync(fresh, options.TimeToLive, cancellationToken).ConfigureAwait(false);
        }

        var outcomes = new SegmentOutcome[segments.Count];
        var texts = new string[segments.Count];
        for (int i = 0; i < segments.Count; i++)
        {
            TextSegment segment = segments[i];
            outcomes[i] = slots[i] < 0
                ? new SegmentOutcome { Segment = segment, Text = segment.Text, Tokens = segment.Tokens, Source = SegmentSource.Verbatim }
                : new SegmentOutcome
                {
                    Segment = segment,
                    Text = values[slots[i]]!.Text,
                    Tokens = values[slots[i]]!.Tokens,
                    Source = hit[slots[i]] ? SegmentSource.CacheHit : SegmentSource.Compressed,
                };
            texts[i] = outcomes[i].Text;
        }

        int hits = keys.Count - fresh.Count;
        KeyValuePair<string, object?> tag = new("contextpress.cache", CacheTag);
        if (hits > 0)
        {
            ContextPressTelemetry.SegmentCacheHits.Add(hits, tag);
        }

        if (fresh.Count > 0)
        {
            ContextPressTelemetry.SegmentCacheMisses.Add(fresh.Count, tag);
        }

        var result = new SegmentCompressionResult
        {
            Text = document.Assemble(texts),
            Document = document,
            Segments = outcomes,
            Fingerprint = fingerprint,
            Elapsed = Stopwatch.GetElapsedTime(started),
        };

        activity?.SetTag("contextpress.segments", segments.Count);
        activity?.SetTag("contextpress.segment_cache.hits", hits);
        activity?.SetTag("contextpress.segment_cache.misses", fresh.Count);
        LogCompressedSegments(segments.Count, hits, fresh.Count, result.Elapsed.TotalMilliseconds);
        return result;
    }

    /// <summary>
    /// Compresses <paramref name="text"/> (cached, query-agnostic), then keeps the segments most relevant to
    /// <paramref name="question"/> within <paramref name="tokenBudget"/>, in document order (uncached).
    /// </summary>
    /// <param name="text">The document.</param>
    /// <param name="question">The question or task the segments are ranked for.</param>
    /// <param name="tokenBudget">The most output tokens (sum of the selected segments' tokens).</param>
    /// <param name="options">The options; <see cref="DefaultOptions"/> when null.</param>
    /// <param name="cancellationToken">Cancels the compression.</param>
    /// <returns>The selection, with the full compression it was made from.</returns>
    public async ValueTask<SegmentSelectionResult> CompressForQuestionAsync(string text, string question, int tokenBudget, SegmentCompressionOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(question);
        ArgumentOutOfRangeException.ThrowIfNegative(tokenBudget);
        SegmentCompressionResult compressed = await CompressAsync(text, options, cancellationToken).ConfigureAwait(false);
        return SegmentSelector.Select(compressed, question, tokenBudget);
    }

    /// <summary>The <c>contextpress.cache</c> tag: <c>memory</c>, or the cache type's name without "SegmentCache", lower-cased (<c>redis</c>).</summary>
    private string CacheTag { get; }

    private async ValueTask<CachedSegment> CompressSegmentAsync(TextSegment segment, SegmentCompressionOptions options, CancellationToken cancellationToken)
    {
        if (segment.Kind == SegmentKind.Json)
        {
            if (!options.CompressJsonElements)
            {
                return new CachedSegment(segment.Text, segment.Tokens);
            }

            JsonCompressionOptions json = JsonCompressionOptions.Default with { LongStringRate = options.Rate };
            JsonCompressionResult result = await _jsonCompressor.CompressAsync(segment.Text, json, cancellationToken).ConfigureAwait(false);
            return new CachedSegment(result.Json, result.TokensAfter);
        }

        PromptCompressionResult prose = await PromptCompressor.CompressAsync(
            segment.Text,
            new PromptCompressionOptions
            {
                Rate = options.Rate,
                ForceTokens = options.ForceTokens,
                ForceReserveDigit = options.ForceReserveDigit,
                IncludeWordLabels = false,
            },
            cancellationToken).ConfigureAwait(false);
        return new CachedSegment(prose.Text, prose.CompressedTokens);
    }

    private async ValueTask<IReadOnlyList<CachedSegment?>> GetAsync(List<SegmentCacheKey> keys, CancellationToken cancellationToken)
    {
        if (keys.Count == 0)
        {
            return [];
        }

        try
        {
            IReadOnlyList<CachedSegment?> values = await Cache.GetManyAsync(keys, cancellationToken).ConfigureAwait(false);
            if (values.Count != keys.Count)
            {
                throw new InvalidOperationException($"The segment cache returned {values.Count} values for {keys.Count} keys.");
            }

            CacheRecovered();
            return values;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            CacheFaulted(ex);
            return new CachedSegment?[keys.Count];
        }
    }

    private async ValueTask SetAsync(List<SegmentCacheEntry> entries, TimeSpan? timeToLive, CancellationToken cancellationToken)
    {
        try
        {
            await Cache.SetManyAsync(entries, timeToLive, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            CacheFaulted(ex);
        }
    }

    private void CacheFaulted(Exception ex)
    {
        ContextPressTelemetry.SegmentCacheErrors.Add(1, new KeyValuePair<string, object?>("contextpress.cache", CacheTag));
        if (Interlocked.Exchange(ref _cacheFaulted, 1) == 0)
        {
            LogCacheFault(ex, Cache.GetType().Name);
        }
    }

    private void CacheRecovered()
    {
        if (Volatile.Read(ref _cacheFaulted) == 1 && Interlocked.Exchange(ref _cacheFaulted, 0) == 1)
        {
            LogCacheRecovered(Cache.GetType().Name);
        }
    }

    [LoggerMessage(LogLevel.Debug, "Compressed {Segments} segments ({Hits} cache hits, {Misses} compressed) in {ElapsedMs:F2} ms.")]
    private partial void LogCompressedSegments(int segments, int hits, int misses, double elapsedMs);

    [LoggerMessage(LogLevel.Warning, "The segment cache {Cache} failed; segments are compressed without it until it answers again.")]
    private partial void LogCacheFault(Exception exception, string cache);

    [LoggerMessage(LogLevel.Information, "The segment cache {Cache} answers again.")]
    private partial void LogCacheRecovered(string cache);
}
