using System.Runtime.CompilerServices;
using ContextPress.Diagnostics;
using ContextPress.History;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ContextPress.ChatCompletion;

/// <summary>
/// A delegating chat client that compresses the conversation with <see cref="ContextCompressor"/> before every
/// request, once it is over <see cref="ChatHistoryCompressionOptions.TriggerTokens"/>.
/// </summary>
/// <remarks>
/// <para>
/// Placed after <c>UseFunctionInvocation()</c> (or SK's <c>UseKernelFunctionInvocation()</c>) in a
/// <see cref="ChatClientBuilder"/>, it compresses every model call of a tool loop; placed before, once per user request.
/// The caller's messages are never changed: the inner client gets a new list, valid for the chat API (every tool
/// result after its call; system messages, pinned items and the last user turn unchanged).
/// </para>
/// <para>
/// A request may carry the agent's plan in <see cref="ChatOptions.AdditionalProperties"/> (see
/// <see cref="ContextCompressorChatExtensions.WithContextPlan"/>). Compression is an optimization, so a failure other
/// than cancellation is logged and the request goes out uncompressed.
/// </para>
/// </remarks>
public sealed partial class ContextCompressingChatClient : DelegatingChatClient
{
    private readonly ILogger _logger;
    private ChatHistoryCompressionOptions _options = ChatHistoryCompressionOptions.Default;

    /// <summary>Initializes a new instance of the <see cref="ContextCompressingChatClient"/> class.</summary>
    /// <param name="innerClient">The client that receives the compressed messages.</param>
    /// <param name="compressor">The history compressor.</param>
    /// <param name="logger">Optional logger.</param>
    public ContextCompressingChatClient(IChatClient innerClient, ContextCompressor compressor, ILogger<ContextCompressingChatClient>? logger = null)
        : base(innerClient)
    {
        ArgumentNullException.ThrowIfNull(compressor);
        Compressor = compressor;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Gets the history compressor.</summary>
    public ContextCompressor Compressor { get; }

    /// <summary>Gets or sets the trigger and compression settings. Validated when set.</summary>
    public ChatHistoryCompressionOptions Options
    {
        get => _options;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            value.Validate();
            _options = value;
        }
    }

    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        IEnumerable<ChatMessage> compressed = await CompressAsync(messages, options, cancellationToken);
        return await base.GetResponseAsync(compressed, options, cancellationToken);
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        IEnumerable<ChatMessage> compressed = await CompressAsync(messages, options, cancellationToken);
        await foreach (ChatResponseUpdate update in base.GetStreamingResponseAsync(compressed, options, cancellationToken))
        {
            yield return update;
        }
    }

    private async ValueTask<IEnumerable<ChatMessage>> CompressAsync(IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);

        // FunctionInvokingChatClient passes its own growing list: take a snapshot, never change it.
        ChatMessage[] snapshot = [.. messages];
        try
        {
            var compressed = await Compressor.CompressOverTriggerAsync(snapshot, _options, options.GetContextPlan(), cancellationToken).ConfigureAwait(false);
            if (compressed is not { } done)
            {
                return snapshot;
            }

            LogCompressed(snapshot.Length, done.Result.TokensBefore, done.Result.TokensAfter, done.Result.BudgetFeasible);
            return done.Messages;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            ContextPressTelemetry.Failures.Add(1, new KeyValuePair<string, object?>("contextpress.compressor", "history"));
            LogCompressionFailed(ex);
            return snapshot;
        }
    }

    [LoggerMessage(LogLevel.Debug, "Compressed {MessageCount} messages from {TokensBefore} to {TokensAfter} tokens (budget feasible: {Feasible}).")]
    private partial void LogCompressed(int messageCount, int tokensBefore, int tokensAfter, bool feasible);

    [LoggerMessage(LogLevel.Warning, "Context compression failed; the request is sent uncompressed.")]
    private partial void LogCompressionFailed(Exception exception);
}
