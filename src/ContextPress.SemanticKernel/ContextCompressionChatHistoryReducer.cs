using ContextPress.ChatCompletion;
using ContextPress.Context;
using ContextPress.History;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace ContextPress.SemanticKernel;

/// <summary>
/// An <see cref="IChatHistoryReducer"/> that compresses a chat history with <see cref="ContextCompressor"/> once it is
/// over <see cref="ChatHistoryCompressionOptions.TriggerTokens"/>.
/// </summary>
/// <remarks>
/// Unlike SK's truncation and summarization reducers it keeps every <see cref="FunctionCallContent"/> with its
/// <see cref="FunctionResultContent"/> (or drops both), never drops the system prompt or the last user turn, and keeps
/// the values later steps use. Works with <c>ChatHistory.ReduceAsync</c>/<c>ReduceInPlaceAsync</c> and with SK agents'
/// <c>HistoryReducer</c>. Returns <see langword="null"/> when the history is at or under the trigger, as SK expects.
/// </remarks>
public sealed class ContextCompressionChatHistoryReducer : IChatHistoryReducer
{
    /// <summary>Initializes a new instance of the <see cref="ContextCompressionChatHistoryReducer"/> class.</summary>
    /// <param name="compressor">The history compressor.</param>
    /// <param name="options">Trigger and compression settings; <see cref="ChatHistoryCompressionOptions.Default"/> when null.</param>
    public ContextCompressionChatHistoryReducer(ContextCompressor compressor, ChatHistoryCompressionOptions? options = null)
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
    public async Task<IEnumerable<ChatMessageContent>?> ReduceAsync(IReadOnlyList<ChatMessageContent> chatHistory, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(chatHistory);
        IReadOnlyList<ContextItem> items = ChatHistoryAdapter.ToContextItems(chatHistory);
        ContextCompressionResult? result = await Compressor.CompressOverTriggerAsync(items, Options, plan: null, cancellationToken).ConfigureAwait(false);
        if (result is null || result.TokensAfter >= result.TokensBefore)
        {
            return null;
        }

        return ChatHistoryAdapter.ToChatMessageContents(result.Items);
    }

    /// <inheritdoc />
    /// <remarks>Agents use reducers as channel keys: two reducers are equal when they compress alike.</remarks>
    public override bool Equals(object? obj) =>
        obj is ContextCompressionChatHistoryReducer other && ReferenceEquals(Compressor, other.Compressor) && Options.Equals(other.Options);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Compressor, Options);
}
