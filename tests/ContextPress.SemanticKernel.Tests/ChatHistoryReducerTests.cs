using ContextPress.ChatCompletion;
using ContextPress.History;
using ContextPress.Tokens;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace ContextPress.SemanticKernel.Tests;

public class ChatHistoryReducerTests
{
    private static readonly ContextCompressor s_compressor = ContextCompressor.CreateDefault();

    private static int Tokens(IEnumerable<ChatMessageContent> messages) =>
        ChatHistoryAdapter.ToContextItems(messages).Sum(i => ContextCompressor.CountItemTokens(TiktokenTokenCounter.O200k, i));

    [Fact]
    public async Task OverTheTrigger_TheHistoryShrinks_KeepingPairsTheSystemPromptTheRequestAndTheNextValues()
    {
        (ChatHistory history, string token, string paymentId) = SupportHistory.Create();
        var reducer = new ContextCompressionChatHistoryReducer(s_compressor, new ChatHistoryCompressionOptions { TriggerTokens = 1_000, Compression = new ContextCompressionOptions { TargetRatio = 0.4 } });

        IEnumerable<ChatMessageContent>? reduced = await reducer.ReduceAsync(history, TestContext.Current.CancellationToken);

        List<ChatMessageContent> messages = [.. Assert.IsAssignableFrom<IEnumerable<ChatMessageContent>>(reduced)];
        Assert.True(Tokens(messages) <= Tokens(history) * 0.45, $"{Tokens(messages)} of {Tokens(history)} tokens");
        Assert.Same(history[0], messages[0]);
        Assert.Same(history[1], messages[1]);
        SupportHistory.AssertPairsIntact(messages);
        string all = string.Join('\n', messages.SelectMany(m => m.Items).Select(i => i is FunctionResultContent r ? r.Result?.ToString() : i.ToString()));
        Assert.Contains(token, all, StringComparison.Ordinal);
        Assert.Contains(paymentId, all, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AtOrUnderTheTrigger_ReturnsNull_AsSkExpects()
    {
        (ChatHistory history, _, _) = SupportHistory.Create();
        var reducer = new ContextCompressionChatHistoryReducer(s_compressor, new ChatHistoryCompressionOptions { TriggerTokens = 100_000 });

        Assert.Null(await reducer.ReduceAsync(history, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task WorksWithSksReduceExtensions_LeavingTheSourceAlone_OrReducingInPlace()
    {
        (ChatHistory history, _, _) = SupportHistory.Create();
        List<ChatMessageContent> original = [.. history];
        var reducer = new ContextCompressionChatHistoryReducer(s_compressor, new ChatHistoryCompressionOptions { TriggerTokens = 1_000 });

        ChatHistory reduced = await history.ReduceAsync(reducer, TestContext.Current.CancellationToken);
        Assert.Equal(original, history);
        Assert.True(Tokens(reduced) < Tokens(history));

        Assert.True(await history.ReduceInPlaceAsync(reducer, TestContext.Current.CancellationToken));
        Assert.Equal(Tokens(reduced), Tokens(history));
        SupportHistory.AssertPairsIntact(history);
    }

    [Fact]
    public void ReducersThatCompressAlike_AreEqual()
    {
        var options = new ChatHistoryCompressionOptions { TriggerTokens = 500 };
        Assert.Equal(new ContextCompressionChatHistoryReducer(s_compressor, options), new ContextCompressionChatHistoryReducer(s_compressor, options with { }));
        Assert.NotEqual(new ContextCompressionChatHistoryReducer(s_compressor, options), new ContextCompressionChatHistoryReducer(s_compressor, options with { TriggerTokens = 501 }));
    }

    [Fact]
    public void Adapter_RoundTripsUnchangedMessagesAsTheSameInstances_AndRebuildsChangedOnesKeepingTheirMetadata()
    {
        (ChatHistory history, _, _) = SupportHistory.Create();
        history[^1].Metadata = new Dictionary<string, object?> { ["origin"] = "crm" };
        history[^1].AuthorName = "crm-bot";
        var items = ChatHistoryAdapter.ToContextItems(history).ToList();

        Assert.Equal(history, ChatHistoryAdapter.ToChatMessageContents(items));

        items[^1] = items[^1].WithText("{\"order\":\"short\"}");
        items.RemoveAt(2);
        items.RemoveAt(2);
        IList<ChatMessageContent> rebuilt = ChatHistoryAdapter.ToChatMessageContents(items);

        Assert.Equal(history.Count - 2, rebuilt.Count);
        ChatMessageContent changed = rebuilt[^1];
        Assert.NotSame(history[^1], changed);
        Assert.Equal("crm-bot", changed.AuthorName);
        Assert.Equal("crm", changed.Metadata!["origin"]);
        FunctionResultContent result = Assert.IsType<FunctionResultContent>(Assert.Single(changed.Items));
        Assert.Equal("{\"order\":\"short\"}", result.Result);
        Assert.Equal("call_3", result.CallId);
    }
}
