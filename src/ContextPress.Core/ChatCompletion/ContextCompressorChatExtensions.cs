using ContextPress.Context;
using ContextPress.Diagnostics;
using ContextPress.History;
using Microsoft.Extensions.AI;

namespace ContextPress.ChatCompletion;

/// <summary>Runs <see cref="ContextCompressor"/> on chat histories when they are over a token trigger.</summary>
public static class ContextCompressorChatExtensions
{
    /// <summary>The <see cref="ChatOptions.AdditionalProperties"/> key under which a request may carry its <see cref="ContextPlan"/> (or the plan as text).</summary>
    public const string PlanPropertyName = "contextpress.plan";

    /// <summary>Compresses <paramref name="items"/> when they cost more than <see cref="ChatHistoryCompressionOptions.TriggerTokens"/>.</summary>
    /// <param name="compressor">The history compressor.</param>
    /// <param name="items">The history, oldest first.</param>
    /// <param name="options">Trigger and compression settings.</param>
    /// <param name="plan">The agent's plan for this request, overriding the one in <paramref name="options"/>; null to keep it.</param>
    /// <param name="cancellationToken">Cancels the compression.</param>
    /// <returns>The compression, or <see langword="null"/> when the history is at or under the trigger.</returns>
    public static async ValueTask<ContextCompressionResult?> CompressOverTriggerAsync(
        this ContextCompressor compressor,
        IReadOnlyList<ContextItem> items,
        ChatHistoryCompressionOptions options,
        ContextPlan? plan = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(compressor);
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(options);

        int tokens = 0;
        foreach (ContextItem item in items)
        {
            tokens += ContextCompressor.CountItemTokens(compressor.TokenCounter, item);
        }

        if (tokens <= options.TriggerTokens)
        {
            ContextPressTelemetry.Skipped.Add(1, new KeyValuePair<string, object?>("contextpress.compressor", "history"));
            return null;
        }

        ContextCompressionOptions compression = plan is null ? options.Compression : options.Compression with { Plan = plan };
        return await compressor.CompressAsync(items, compression, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Compresses chat messages when they cost more than <see cref="ChatHistoryCompressionOptions.TriggerTokens"/>.</summary>
    /// <param name="compressor">The history compressor.</param>
    /// <param name="messages">The conversation; never mutated.</param>
    /// <param name="options">Trigger and compression settings.</param>
    /// <param name="plan">The agent's plan for this request; null to use the one in <paramref name="options"/> or infer it.</param>
    /// <param name="cancellationToken">Cancels the compression.</param>
    /// <returns>The new messages and the report, or <see langword="null"/> when the history is at or under the trigger.</returns>
    public static async ValueTask<(IList<ChatMessage> Messages, ContextCompressionResult Result)?> CompressOverTriggerAsync(
        this ContextCompressor compressor,
        IEnumerable<ChatMessage> messages,
        ChatHistoryCompressionOptions options,
        ContextPlan? plan = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        IReadOnlyList<ContextItem> items = ChatMessageAdapter.ToContextItems(messages);
        ContextCompressionResult? result = await compressor.CompressOverTriggerAsync(items, options, plan, cancellationToken).ConfigureAwait(false);
        return result is null ? null : (ChatMessageAdapter.ToChatMessages(result.Items), result);
    }

    /// <summary>Gets the plan a request carries under <see cref="PlanPropertyName"/>, if any.</summary>
    /// <param name="options">The request's options.</param>
    /// <returns>The plan, or <see langword="null"/>.</returns>
    public static ContextPlan? GetContextPlan(this ChatOptions? options) =>
        options?.AdditionalProperties?.TryGetValue(PlanPropertyName, out object? value) == true
            ? value switch
            {
                ContextPlan plan => plan,
                string text when !string.IsNullOrWhiteSpace(text) => ContextPlan.FromText(text),
                _ => null,
            }
            : null;

    /// <summary>Attaches the agent's plan to a request, for <see cref="ContextCompressingChatClient"/> below it.</summary>
    /// <param name="options">The request's options.</param>
    /// <param name="plan">The plan.</param>
    /// <returns><paramref name="options"/>.</returns>
    public static ChatOptions WithContextPlan(this ChatOptions options, ContextPlan plan)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(plan);
        (options.AdditionalProperties ??= [])[PlanPropertyName] = plan;
        return options;
    }
}
