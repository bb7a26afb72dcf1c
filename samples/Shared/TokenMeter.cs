using ContextPress.Context;
using ContextPress.History;
using ContextPress.Tokens;
using Microsoft.Extensions.AI;

namespace ContextPress.Samples;

/// <summary>Records the tokens of every request that passes it (o200k_base, as the history compressor counts them).</summary>
internal sealed class TokenMeter(IChatClient innerClient) : DelegatingChatClient(innerClient)
{
    public List<int> RequestTokens { get; } = [];

    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        List<ChatMessage> list = [.. messages];
        RequestTokens.Add(ChatMessageAdapter.ToContextItems(list).Sum(i => ContextCompressor.CountItemTokens(TiktokenTokenCounter.O200k, i)));
        return base.GetResponseAsync(list, options, cancellationToken);
    }
}
