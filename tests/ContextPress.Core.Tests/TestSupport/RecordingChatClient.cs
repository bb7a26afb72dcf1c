using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace ContextPress.Tests.TestSupport;

/// <summary>A chat client that records every request and answers with a scripted reply (a plain "ok" by default).</summary>
internal sealed class RecordingChatClient : IChatClient
{
    public List<List<ChatMessage>> Requests { get; } = [];

    public Func<IReadOnlyList<ChatMessage>, ChatMessage>? Reply { get; set; }

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        List<ChatMessage> request = [.. messages];
        Requests.Add(request);
        return Task.FromResult(new ChatResponse(Reply?.Invoke(request) ?? new ChatMessage(ChatRole.Assistant, "ok")));
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ChatResponse response = await GetResponseAsync(messages, options, cancellationToken);
        foreach (ChatResponseUpdate update in response.ToChatResponseUpdates())
        {
            yield return update;
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }
}
