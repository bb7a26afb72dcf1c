using ContextPress.History;
using Microsoft.Extensions.AI;

namespace ContextPress.ChatCompletion;

/// <summary>
/// An <see cref="IChatReducer"/> that compresses a conversation with <see cref="ContextCompressor"/> once it is over
/// <see cref="ChatHistoryCompressionOptions.TriggerTokens"/>: unlike count-based reducers it keeps every tool
/// call with its result, the system prompt and the last user turn, and the values later steps use.
/// </summary>
/// <remarks>Works with MEAI's <c>UseChatReducer</c> and anywhere an <see cref="IChatReducer"/> is taken. Never changes the caller's messages.</remarks>
public sealed class ContextCompressionChatReducer : IChatReducer
{
    /// <summary>Initializes a new instance of the <see cref="ContextCompressionChatReducer"/> class.</summary>
    /// <param name="compressor">The history compressor.</param>
    /// <param name="options">Trigger and compression settings; <see cref="ChatHistoryCompressionOptions.Default"/> when null.</param>
    public ContextCompressionChatReducer(ContextCompressor compressor, ChatHistoryCompressionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(compressor);
        options ??= ChatHistoryCompressionOptions.Default;
        options.Validate();
        Compressor = compressor;
        Options = options;
    }

    /// <summary>Gets the history compressor.</summary>
    public ContextCompressor Compressor { get; }

    /// <summary>Gets the trigger and compression settings.</summary>
    public ChatHistoryCompressionOptions Options { get; }

    /// <inheritdoc />
    public async Task<IEnumerable<ChatMessage>> ReduceAsync(IEnumerable<ChatMessage> messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ChatMessage[] snapshot = [.. messages];
        var compressed = await Compressor.CompressOverTriggerAsync(snapshot, Options, plan: null, cancellationToken).ConfigureAwait(false);
        return compressed?.Messages ?? snapshot;
    }
}
