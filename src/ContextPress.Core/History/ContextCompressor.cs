using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using ContextPress.Compression;
using ContextPress.Compression.Json;
using ContextPress.Context;
using ContextPress.Diagnostics;
using ContextPress.Tokens;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ContextPress.History;

/// <summary>
/// Plan-aware compression of an agent history to a token budget (after PAACE): protects what must stay, ranks the
/// rest by relevance to the next plan steps and the latest request and by recency, and degrades the least useful
/// items first (compress, compress harder, stub with their critical values, drop whole call/result groups).
/// </summary>
/// <remarks>
/// Tool-call arguments and JSON syntax are never token-compressed: JSON results go through
/// <see cref="StructuredJsonCompressor"/>, prose through <see cref="PromptCompressor"/>. Values named by the plan,
/// the latest request or a pending call are force-kept in every compressed or stubbed item. Thread-safe.
/// </remarks>
public sealed partial class ContextCompressor
{
    internal const int MessageOverheadTokens = 3;
    private const int MaxStubValues = 40;

    private readonly ILogger _logger;

    /// <summary>Initializes a new instance of the <see cref="ContextCompressor"/> class.</summary>
    /// <param name="promptCompressor">Compresses prose items.</param>
    /// <param name="jsonCompressor">Compresses JSON tool results; one over <paramref name="promptCompressor"/> when null.</param>
    /// <param name="logger">Optional logger.</param>
    public ContextCompressor(PromptCompressor promptCompressor, StructuredJsonCompressor? jsonCompressor = null, ILogger<ContextCompressor>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(promptCompressor);
        PromptCompressor = promptCompressor;
        JsonCompressor = jsonCompressor ?? new StructuredJsonCompressor(promptCompressor);
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Gets the prose compressor.</summary>
    public PromptCompressor PromptCompressor { get; }

    /// <summary>Gets the JSON compressor.</summary>
    public StructuredJsonCompressor JsonCompressor { get; }

    /// <summary>Gets the counter budgets are measured with.</summary>
    public ITokenCounter TokenCounter => PromptCompressor.TokenCounter;

    /// <summary>Creates a compressor with the embedded scorer, counting in o200k_base.</summary>
    /// <returns>A compressor that needs no model file.</returns>
    public static ContextCompressor CreateDefault() => new(PromptCompressor.CreateDefault());

    /// <summary>Counts an item as it costs in a chat request: its text, its tool calls' names and arguments, and a per-message overhead.</summary>
    /// <param name="counter">The counter.</param>
    /// <param name="item">The item.</param>
    /// <returns>The tokens.</returns>
    public static int CountItemTokens(ITokenCounter counter, ContextItem item)
    {
        ArgumentNullException.ThrowIfNull(counter);
        ArgumentNullException.ThrowIfNull(item);
        int tokens = MessageOverheadTokens + counter.CountTokens(item.Text);
        foreach (ToolCall call in item.ToolCalls)
        {
            tokens += counter.CountTokens(call.Name) + counter.CountTokens(call.ArgumentsJson) + MessageOverheadTokens;
        }

        return tokens;
    }

    /// <summary>Compresses <paramref name="items"/> to the budget of <paramref name="options"/>.</summary>
    /// <param name="items">The history, oldest first; must be valid (every tool result after its call).</param>
    /// <param name="options">Budget, plan and protection; defaults when null.</param>
    /// <param name="cancellationToken">Cancels the compression.</param>
    /// <returns>The compressed history and a report of every decision.</returns>
    public async ValueTask<ContextCompressionResult> CompressAsync(IReadOnlyList<ContextItem> items, ContextCompressionOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        options ??= new ContextCompressionOptions();
        options.Validate();
        ContextValidation.EnsureValid(items);

        using Activity? activity = ContextPressTelemetry.ActivitySource.StartActivity("contextpress.compress_history");
        long started = Stopwatch.GetTimestamp();
        var plan = HistoryPlan.Create(this, items, options);
        int budget = plan.Budget;
        int total = plan.TotalTokens;
        try
        {
            // While over budget, shrink the newest observation first without losing a value (its prose, nulls and empty
            // fields go), so older items (the login, the password list, the e-mail with the date) need not become stubs.
            foreach (ItemState state in plan.ShrinkableProtected(total))
            {
                if (total <= budget)
                {
                    break;
                }

                total -= await CompressLosslesslyAsync(plan, state, options, cancellationToken).ConfigureAwait(false);
            }

            // Degrade the least useful candidate one level at a time until the history fits.
            while (total > budget)
            {
                cancellationToken.ThrowIfCancellationRequested();
                ItemState? next = plan.NextToDegrade();
                if (next is null)
                {
                    break;
                }

                total -= await DegradeAsync(plan, next, options, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            plan.ReleaseSessions();
        }

        if (total <= budget)
        {
            total = plan.Restore(total);
        }

        ContextCompressionResult result = plan.ToResult(total, TokenCounter.EncodingName, Stopwatch.GetElapsedTime(started));
        ContextPressTelemetry.InputTokens.Add(result.TokensBefore, new KeyValuePair<string, object?>("contextpress.compressor", "history"));
        ContextPressTelemetry.OutputTokens.Add(result.TokensAfter, new KeyValuePair<string, object?>("contextpress.compressor", "history"));
        ContextPressTelemetry.Duration.Record(result.Elapsed.TotalSeconds);
        foreach (ContextItemReport report in result.ItemReports)
        {
            ContextPressTelemetry.Actions.Add(1, new KeyValuePair<string, object?>("contextpress.action", report.Action.ToString()));
        }

        activity?.SetTag("contextpress.tokens.input", result.TokensBefore);
        activity?.SetTag("contextpress.tokens.output", result.TokensAfter);
        activity?.SetTag("contextpress.budget.feasible", result.BudgetFeasible);
        LogCompressed(items.Count, result.TokensBefore, result.TokensAfter, budget, result.Elapsed.TotalMilliseconds);
        return result;
    }

    /// <summary>Moves one item (or its whole call/result group, for a drop) one level down; returns the tokens saved.</summary>
    private async ValueTask<int> DegradeAsync(HistoryPlan plan, ItemState state, ContextCompressionOptions options, CancellationToken cancellationToken)
    {
        if (state.Level == DegradeLevel.BareStub)
        {
            return plan.DropGroup(state);
        }

        DegradeLevel target = state.Level + 1;
        (string? text, int textTokens) = target switch
        {
            DegradeLevel.Half => await CompressTextAsync(plan, state, 0.5, options, cancellationToken).ConfigureAwait(false),
            DegradeLevel.Quarter => await CompressTextAsync(plan, state, 0.25, options, cancellationToken).ConfigureAwait(false),
            DegradeLevel.Stub => (HistoryStub.Build(plan, state, StubDetail.Values, MaxStubValues), -1),
            DegradeLevel.MinimalStub => (HistoryStub.Build(plan, state, StubDetail.BestRecord, MaxStubValues), -1),
            DegradeLevel.NamedStub => (HistoryStub.Build(plan, state, StubDetail.NamedValues, MaxStubValues), -1),
            _ => (HistoryStub.Build(plan, state, StubDetail.Bare, MaxStubValues), -1),
        };

        int before = state.Tokens;
        state.Level = target;
        int tokens = text is null ? before : MessageOverheadTokens + (textTokens >= 0 ? textTokens : TokenCounter.CountTokens(text)) + state.CallTokens;
        if (text is not null && tokens < before)
        {
            state.Apply(text, tokens, target >= DegradeLevel.Stub ? ContextAction.Stub : ContextAction.Compress);
        }

        return before - state.Tokens;
    }

    /// <summary>
    /// Compresses a protected result keeping every value: JSON loses nulls and empty strings, arrays and objects and has its prose
    /// strings prompt-compressed with their critical values force-kept, no element trimmed and no field dropped; prose
    /// is prompt-compressed with all its critical values force-kept. Returns the tokens saved.
    /// </summary>
    private async ValueTask<int> CompressLosslesslyAsync(HistoryPlan plan, ItemState state, ContextCompressionOptions options, CancellationToken cancellationToken)
    {
        string original = state.Item.Text;
        string text;
        int textTokens = -1;
        if (state.IsJson)
        {
            state.JsonSession ??= new JsonCompressionSession(original, JsonCompressor.ProseCompressor.TokenCounter);
            var jsonOptions = new JsonCompressionOptions
            {
                MaxArrayItems = int.MaxValue,
                LongStringRate = 0.3,
                LongStringTokens = 12,
                ProtectedValues = ProseValues(state.JsonSession.Document.RootElement),
                RelevantTerms = plan.RelevantTerms,
                ShortenProtectedStrings = true,

                // Hypermedia links and schema references are values too: a protected result keeps them.
                BoilerplateKeys = [],
            };
            jsonOptions.Validate();
            JsonCompressionResult json = await JsonCompressor.CompressAtLevelAsync(state.JsonSession, 2, jsonOptions, cancellationToken).ConfigureAwait(false);
            text = json.Json;
            textTokens = CountedAlike ? json.TokensAfter : -1;
        }
        else
        {
            PromptCompressionResult prose = await PromptCompressor.CompressAsync(
                original,
                options.PromptOptions with
                {
                    Rate = 0.5,
                    TargetTokens = null,
                    ForceTokens = [.. options.PromptOptions.ForceTokens, .. CriticalValues.Extract(original)],
                    ForceReserveDigit = true,
                    Question = plan.PlanText,
                    IncludeWordLabels = false,
                },
                cancellationToken).ConfigureAwait(false);
            text = prose.Text;
        }

        int before = state.Tokens;
        int tokens = MessageOverheadTokens + (textTokens >= 0 ? textTokens : TokenCounter.CountTokens(text)) + state.CallTokens;
        if (tokens < before)
        {
            state.Apply(text, tokens, ContextAction.Compress);
        }

        return before - state.Tokens;
    }

    /// <summary>The critical values inside the prose strings of a JSON document: what compressing them must keep.</summary>
    private static List<string> ProseValues(JsonElement element)
    {
        var values = new HashSet<string>(StringComparer.Ordinal);
        Collect(element);
        return [.. values.Order(StringComparer.Ordinal)];

        void Collect(JsonElement node)
        {
            switch (node.ValueKind)
            {
                case JsonValueKind.Object:
                    foreach (JsonProperty property in node.EnumerateObject())
                    {
                        Collect(property.Value);
                    }

                    break;
                case JsonValueKind.Array:
                    foreach (JsonElement item in node.EnumerateArray())
                    {
                        Collect(item);
                    }

                    break;
                case JsonValueKind.String when node.GetRawText() is { Length: > 24 } raw && raw.Contains(' ', StringComparison.Ordinal):
                    values.UnionWith(CriticalValues.Extract(node.GetString() ?? string.Empty));
                    break;
            }
        }
    }

    /// <summary>Gets a value indicating whether JSON results are counted as budgets are, so the JSON compressor's counts can be reused.</summary>
    private bool CountedAlike => ReferenceEquals(JsonCompressor.ProseCompressor.TokenCounter, TokenCounter);

    /// <summary>Compresses an item's text at <paramref name="rate"/>; returns the text (null when empty) and its tokens when already counted, else -1.</summary>
    private async ValueTask<(string? Text, int TextTokens)> CompressTextAsync(HistoryPlan plan, ItemState state, double rate, ContextCompressionOptions options, CancellationToken cancellationToken)
    {
        string original = state.Item.Text;
        if (original.Length == 0)
        {
            return (null, -1);
        }

        int target = Math.Max(8, (int)((state.OriginalTokens - MessageOverheadTokens - state.CallTokens) * rate));
        if (state.IsJson)
        {
            state.JsonSession ??= new JsonCompressionSession(original, JsonCompressor.ProseCompressor.TokenCounter);
            var jsonOptions = new JsonCompressionOptions
            {
                // Strings give way first; arrays are trimmed only when long, so most records (and their ids) stay.
                TargetTokens = target,
                LongStringRate = Math.Max(0.2, rate * 0.6),
                MaxArrayItems = rate >= 0.5 ? 64 : 16,
                ProtectedValues = plan.ReferencedValues,
                RelevantTerms = plan.RelevantTerms,

                // The record the request names (with every field) and a statement's telling lines outlive the rest.
                KeepBestMatchesWhole = true,
                KeepRelevantText = true,
                ShortenProtectedStrings = true,
            };
            jsonOptions.Validate();
            JsonCompressionResult json = await JsonCompressor.CompressAsync(state.JsonSession, jsonOptions, cancellationToken).ConfigureAwait(false);
            return (json.Json, CountedAlike ? json.TokensAfter : -1);
        }

        PromptCompressionResult prose = await PromptCompressor.CompressAsync(
            original,
            options.PromptOptions with
            {
                TargetTokens = target,
                ForceTokens = [.. options.PromptOptions.ForceTokens, .. plan.ReferencedValuesIn(original)],
                Question = plan.PlanText,
                IncludeWordLabels = false,
            },
            cancellationToken).ConfigureAwait(false);
        return (prose.Text, -1);
    }

    [LoggerMessage(LogLevel.Debug, "Compressed a history of {Items} items from {TokensBefore} to {TokensAfter} tokens (budget {Budget}) in {ElapsedMs:F1} ms.")]
    private partial void LogCompressed(int items, int tokensBefore, int tokensAfter, int budget, double elapsedMs);
}
