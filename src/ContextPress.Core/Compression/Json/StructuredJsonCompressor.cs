using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using ContextPress.Diagnostics;
using ContextPress.Tokens;

namespace ContextPress.Compression.Json;

/// <summary>
/// Structure-aware compression of JSON tool results: the document is parsed, cleaned and shortened by escalating
/// levels, and written back as minified, valid JSON. Keys, numbers, booleans and identifier-like strings (ids, dates,
/// e-mails, URLs, UUIDs, enum values) are never changed; only long prose strings are shortened and long arrays trimmed.
/// </summary>
/// <remarks>
/// <para>Levels, each applied to a fresh copy of the parsed document:</para>
/// <list type="number">
/// <item><description>Level 0: minify; drop null values, empty strings, empty arrays and objects, and boilerplate keys (object properties only; array elements keep their positions).</description></item>
/// <item><description>Level 1: level 0, plus prose strings longer than <see cref="JsonCompressionOptions.LongStringTokens"/> prompt-compressed at <see cref="JsonCompressionOptions.LongStringRate"/> (digits kept) and arrays longer than twice <see cref="JsonCompressionOptions.MaxArrayItems"/> trimmed to that many items.</description></item>
/// <item><description>Level 2: prose at half the rate (at least 0.15), arrays longer than <see cref="JsonCompressionOptions.MaxArrayItems"/> trimmed to half of it (at least 2).</description></item>
/// <item><description>Level 3: prose cut to its first sentence (or first 12 words) and an ellipsis; arrays longer than 3 trimmed to 2; objects inside arrays keep only id, name, amount, date, status, type, e-mail and code fields (or their first three scalar fields when none matches).</description></item>
/// </list>
/// <para>
/// Trimming keeps the elements holding a protected value, then those mentioning the most relevant terms, then the
/// first ones, in their original order, and appends one marker string (<see cref="OmittedItemsMarkerFormat"/>).
/// Thread-safe; create one and reuse it.
/// </para>
/// </remarks>
public sealed class StructuredJsonCompressor
{
    /// <summary>The level applied when no target is given.</summary>
    public const int DefaultLevel = 1;

    /// <summary>The most aggressive level.</summary>
    public const int MaxLevel = 3;

    /// <summary>The start of the marker that replaces trimmed array elements.</summary>
    public const string OmittedItemsMarkerPrefix = "\u2026 ";

    /// <summary>The end of the marker that replaces trimmed array elements.</summary>
    public const string OmittedItemsMarkerSuffix = " more items omitted";

    /// <summary>
    /// The marker string appended to a trimmed array, <c>"… 37 more items omitted"</c>; <c>{0}</c> is the number of
    /// removed elements, written with the invariant culture. <see cref="TryParseOmittedItemsMarker"/> recognises it.
    /// </summary>
    public const string OmittedItemsMarkerFormat = OmittedItemsMarkerPrefix + "{0}" + OmittedItemsMarkerSuffix;

    private static readonly JsonWriterOptions s_writerOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = false };

    /// <summary>Initializes a new instance of the <see cref="StructuredJsonCompressor"/> class.</summary>
    /// <param name="proseCompressor">Compresses long prose strings; its <see cref="PromptCompressor.TokenCounter"/> measures every budget.</param>
    public StructuredJsonCompressor(PromptCompressor proseCompressor)
    {
        ArgumentNullException.ThrowIfNull(proseCompressor);
        ProseCompressor = proseCompressor;
    }

    /// <summary>Gets the compressor used for long prose strings.</summary>
    public PromptCompressor ProseCompressor { get; }

    /// <summary>Formats the marker for <paramref name="count"/> omitted elements.</summary>
    /// <param name="count">The number of elements removed.</param>
    /// <returns>For example <c>"… 37 more items omitted"</c>.</returns>
    public static string FormatOmittedItemsMarker(int count) =>
        OmittedItemsMarkerPrefix + count.ToString(CultureInfo.InvariantCulture) + OmittedItemsMarkerSuffix;

    /// <summary>Recognises a marker written by <see cref="FormatOmittedItemsMarker"/>.</summary>
    /// <param name="value">A string array element.</param>
    /// <param name="count">The number of omitted elements, or 0.</param>
    /// <returns>True when <paramref name="value"/> is a marker.</returns>
    public static bool TryParseOmittedItemsMarker(string? value, out int count)
    {
        count = 0;
        if (value is null || !value.StartsWith(OmittedItemsMarkerPrefix, StringComparison.Ordinal) || !value.EndsWith(OmittedItemsMarkerSuffix, StringComparison.Ordinal))
        {
            return false;
        }

        ReadOnlySpan<char> number = value.AsSpan(OmittedItemsMarkerPrefix.Length, value.Length - OmittedItemsMarkerPrefix.Length - OmittedItemsMarkerSuffix.Length);
        return number.Length > 0 && !number.ContainsAnyExceptInRange('0', '9')
            && int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out count);
    }

    /// <summary>Cheaply tells whether <paramref name="text"/> is a JSON object or array: its first non-whitespace character is <c>{</c> or <c>[</c> and it parses.</summary>
    /// <param name="text">The text, for example a tool result.</param>
    /// <returns>True for a valid JSON object or array.</returns>
    public static bool LooksLikeJson(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        ReadOnlySpan<char> trimmed = text.AsSpan().Trim();
        if (trimmed.Length < 2 || !((trimmed[0] == '{' && trimmed[^1] == '}') || (trimmed[0] == '[' && trimmed[^1] == ']')))
        {
            return false;
        }

        try
        {
            using JsonDocument document = JsonDocument.Parse(text);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>Compresses the JSON document <paramref name="json"/>.</summary>
    /// <param name="json">The document (any JSON value; typically a tool result object or array).</param>
    /// <param name="options">Budget, protected values and relevant terms; <see cref="JsonCompressionOptions.Default"/> when null.</param>
    /// <param name="cancellationToken">Cancels the compression.</param>
    /// <returns>The minified, compressed document and its report.</returns>
    /// <exception cref="FormatException"><paramref name="json"/> is not valid JSON (the message is the parser's).</exception>
    public async ValueTask<JsonCompressionResult> CompressAsync(string json, JsonCompressionOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(json);
        options ??= JsonCompressionOptions.Default;
        options.Validate();
        cancellationToken.ThrowIfCancellationRequested();

        using var session = new JsonCompressionSession(json, ProseCompressor.TokenCounter);
        return await CompressAsync(session, options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Compresses the document of <paramref name="session"/>, reusing what earlier calls on it computed (a history
    /// compressor tries one result at several targets). <paramref name="options"/> must be valid.
    /// </summary>
    internal async ValueTask<JsonCompressionResult> CompressAsync(JsonCompressionSession session, JsonCompressionOptions options, CancellationToken cancellationToken)
    {
        using Activity? activity = ContextPressTelemetry.ActivitySource.StartActivity("contextpress.compress_json");
        var call = new JsonCompressionCall(ProseCompressor, options, session);
        int tokensBefore = session.TokensBefore;
        JsonElement root = session.Document.RootElement;
        JsonCompressionResult result;
        if (options.TargetTokens is not int target)
        {
            result = (await RunLevelAsync(call, root, DefaultLevel, tokensBefore, target: null, cancellationToken).ConfigureAwait(false))!;
        }
        else
        {
            JsonCompressionResult? tried = null;
            for (int level = 0; level <= MaxLevel; level++)
            {
                cancellationToken.ThrowIfCancellationRequested();

                // Below the last level, a level that cannot fit even if its prose shrinks at best is not finished.
                tried = await RunLevelAsync(call, root, level, tokensBefore, target, cancellationToken, skipHopeless: level < MaxLevel).ConfigureAwait(false)
                    ?? tried;
                if (tried?.FitsTarget == true)
                {
                    break;
                }
            }

            result = tried!; // the last level is never skipped
        }

        KeyValuePair<string, object?> tag = new("contextpress.compressor", "json");
        ContextPressTelemetry.InputTokens.Add(result.TokensBefore, tag);
        ContextPressTelemetry.OutputTokens.Add(result.TokensAfter, tag);
        activity?.SetTag("contextpress.tokens.input", result.TokensBefore);
        activity?.SetTag("contextpress.tokens.output", result.TokensAfter);
        activity?.SetTag("contextpress.json.level", result.Level);
        activity?.SetTag("contextpress.budget.feasible", result.FitsTarget);
        return result;
    }

    /// <summary>Applies one level to the document of <paramref name="session"/>, whatever the target; <paramref name="options"/> must be valid.</summary>
    internal async ValueTask<JsonCompressionResult> CompressAtLevelAsync(JsonCompressionSession session, int level, JsonCompressionOptions options, CancellationToken cancellationToken)
    {
        var call = new JsonCompressionCall(ProseCompressor, options, session);
        return (await RunLevelAsync(call, session.Document.RootElement, level, session.TokensBefore, options.TargetTokens, cancellationToken).ConfigureAwait(false))!;
    }

    /// <summary>Applies one level, whatever the target (tests and diagnostics).</summary>
    internal async ValueTask<JsonCompressionResult> CompressAtLevelAsync(string json, int level, JsonCompressionOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentOutOfRangeException.ThrowIfNegative(level);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(level, MaxLevel);
        options ??= JsonCompressionOptions.Default;
        options.Validate();
        using var session = new JsonCompressionSession(json, ProseCompressor.TokenCounter);
        var call = new JsonCompressionCall(ProseCompressor, options, session);
        return (await RunLevelAsync(call, session.Document.RootElement, level, session.TokensBefore, options.TargetTokens, cancellationToken).ConfigureAwait(false))!;
    }

    private static JsonCompressionOptions LevelKey(JsonCompressionOptions options) => options with { TargetTokens = null, LongStringRate = 1, MaxArrayItems = 1 };

    /// <summary>Runs one level, or returns null when <paramref name="skipHopeless"/> and it cannot fit the target.</summary>
    private static async ValueTask<JsonCompressionResult?> RunLevelAsync(JsonCompressionCall call, JsonElement root, int level, int tokensBefore, int? target, CancellationToken cancellationToken, bool skipHopeless = false)
    {
        var settings = JsonLevelSettings.For(level, call.Options);

        // The target only decides whether the output fits; the rate and array length are in the settings.
        var key = (settings, LevelKey(call.Options));
        if (call.Session.Levels.TryGetValue(key, out JsonCompressionResult? known))
        {
            return known.WithTarget(target);
        }

        JsonCompressionResult? result = await RunLevelUncachedAsync(call, root, settings, tokensBefore, skipHopeless ? target : null, cancellationToken).ConfigureAwait(false);
        if (result is null)
        {
            return null;
        }

        call.Session.Levels[key] = result;
        return result.WithTarget(target);
    }

    /// <summary>
    /// Runs one level; with a <paramref name="hopelessAbove"/> target, returns null instead when the output cannot fit
    /// it even if every queued prose string shrank to its rate: prompt compression, the costly part, is then skipped.
    /// </summary>
    private static async ValueTask<JsonCompressionResult?> RunLevelUncachedAsync(JsonCompressionCall call, JsonElement root, JsonLevelSettings settings, int tokensBefore, int? hopelessAbove, CancellationToken cancellationToken)
    {
        int level = settings.Level;
        if (hopelessAbove is int bound && settings.ProseRate is double rate && !settings.LeadOnly && !settings.EssentialFieldsOnly
            && settings.TrimAbove >= call.Session.LongestArray
            && call.Session.Levels.TryGetValue((JsonLevelSettings.For(0, call.Options), LevelKey(call.Options)), out JsonCompressionResult? level0)
            && level0.TokensAfter - call.MostProseSaving(rate) > bound)
        {
            // A level that trims nothing writes level 0 before its prose shrinks: known hopeless without a pass.
            return null;
        }

        var pass = new JsonCompressionPass(call, settings);
        CompressedNode node = pass.Transform(root, inArray: false);
        string? skeleton = null;
        int skeletonTokens = 0;
        if (hopelessAbove is int limit && pass.HasPendingProse)
        {
            skeleton = Write(node);
            skeletonTokens = call.Session.CountOutput(skeleton);
            if (skeletonTokens - pass.MostProseSaving() > limit)
            {
                return null;
            }
        }

        int compressedBefore = pass.StringsCompressed;
        await pass.CompressPendingAsync(cancellationToken).ConfigureAwait(false);

        // When no queued string shrank, the skeleton already is the output.
        string output = skeleton is not null && pass.StringsCompressed == compressedBefore ? skeleton : Write(node);
        int tokensAfter = ReferenceEquals(output, skeleton) ? skeletonTokens : call.Session.CountOutput(output);
        return new JsonCompressionResult
        {
            Json = output,
            TokensBefore = tokensBefore,
            TokensAfter = tokensAfter,
            Level = level,
            ElementsRemoved = pass.ElementsRemoved,
            StringsCompressed = pass.StringsCompressed,
            FieldsDropped = pass.FieldsDropped,
            FitsTarget = true,
        };
    }

    private static string Write(CompressedNode node)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, s_writerOptions))
        {
            node.WriteTo(writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}

/// <summary>What one level does.</summary>
/// <param name="Level">The level.</param>
/// <param name="ProseRate">The rate long prose strings are prompt-compressed at, or null.</param>
/// <param name="LeadOnly">Whether long prose strings are cut to their first sentence.</param>
/// <param name="TrimAbove">Arrays longer than this are trimmed.</param>
/// <param name="KeepItems">How many elements a trimmed array keeps (more when protected ones exceed it).</param>
/// <param name="EssentialFieldsOnly">Whether objects inside arrays keep only essential fields.</param>
internal readonly record struct JsonLevelSettings(int Level, double? ProseRate, bool LeadOnly, int TrimAbove, int KeepItems, bool EssentialFieldsOnly)
{
    /// <summary>The lowest prose rate level 2 goes down to.</summary>
    public const double MinLevel2Rate = 0.15;

    public static JsonLevelSettings For(int level, JsonCompressionOptions options)
    {
        int max = options.MaxArrayItems;
        switch (level)
        {
            case 0:
                return new(0, null, false, int.MaxValue, int.MaxValue, false);
            case 1:
                return new(1, options.LongStringRate, false, max > int.MaxValue / 2 ? int.MaxValue : 2 * max, max, false);
            case 2:
                double rate = Math.Min(options.LongStringRate, Math.Max(MinLevel2Rate, options.LongStringRate / 2));
                return new(2, rate, false, max, Math.Min(max, Math.Max(2, max / 2)), false);
            default:
                int keep = Math.Min(2, max);
                return new(3, null, true, keep + 1, keep, true);
        }
    }
}
