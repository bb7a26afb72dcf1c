using ContextPress.ChatCompletion;
using ContextPress.Context;
using ContextPress.DependencyInjection;
using ContextPress.History;
using ContextPress.Tests.History;
using ContextPress.Tests.TestSupport;
using ContextPress.Tokens;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace ContextPress.Tests.ChatCompletion;

public class ContextCompressingChatClientTests
{
    private static readonly ContextCompressor s_compressor = ContextCompressor.CreateDefault();

    private static List<ChatMessage> AgentConversation(int seed) => [.. ChatMessageAdapter.ToChatMessages(ContextCompressorTests.AgentHistory(seed))];

    private static int Tokens(IEnumerable<ChatMessage> messages) =>
        ChatMessageAdapter.ToContextItems(messages).Sum(i => ContextCompressor.CountItemTokens(TiktokenTokenCounter.O200k, i));

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task OverTheTrigger_TheModelGetsAValidSmallerHistory_AndTheCallersListIsUnchanged(bool streaming)
    {
        List<ChatMessage> conversation = AgentConversation(seed: 5);
        List<string> before = [.. conversation.Select(m => m.Text)];
        var inner = new RecordingChatClient();
        using IChatClient client = inner.AsBuilder().UseContextCompression(s_compressor, c => c.Options = new ChatHistoryCompressionOptions { TriggerTokens = 1_000 }).Build();

        if (streaming)
        {
            await foreach (ChatResponseUpdate _ in client.GetStreamingResponseAsync(conversation, cancellationToken: TestContext.Current.CancellationToken))
            {
            }
        }
        else
        {
            await client.GetResponseAsync(conversation, cancellationToken: TestContext.Current.CancellationToken);
        }

        List<ChatMessage> sent = Assert.Single(inner.Requests);
        Assert.True(Tokens(sent) <= Tokens(conversation) * 0.55, $"{Tokens(sent)} of {Tokens(conversation)} tokens were sent");
        Assert.Empty(ContextValidation.FindProblems(ChatMessageAdapter.ToContextItems(sent)));
        Assert.Equal(conversation[0].Text, sent[0].Text);
        Assert.Equal(ChatRole.System, sent[0].Role);
        Assert.Equal(conversation[^1].Text, sent[^1].Text);
        Assert.Equal(before, conversation.Select(m => m.Text));
    }

    [Fact]
    public async Task AtOrUnderTheTrigger_TheMessagesPassUnchanged()
    {
        List<ChatMessage> conversation = AgentConversation(seed: 6);
        var inner = new RecordingChatClient();
        using IChatClient client = inner.AsBuilder().UseContextCompression(s_compressor, c => c.Options = new ChatHistoryCompressionOptions { TriggerTokens = Tokens(conversation) }).Build();

        await client.GetResponseAsync(conversation, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(conversation, Assert.Single(inner.Requests));
    }

    [Fact]
    public async Task AHistoryTheCompressorRejects_IsSentAsItWas()
    {
        // A tool result that answers no call is invalid for the compressor; the request still goes out, unchanged.
        List<ChatMessage> conversation =
        [
            new(ChatRole.System, "You are an agent."),
            new(ChatRole.User, "Go."),
            new(ChatRole.Tool, [new FunctionResultContent("orphan", SampleTexts.Prose(600))]),
        ];
        var inner = new RecordingChatClient();
        using IChatClient client = inner.AsBuilder().UseContextCompression(s_compressor, c => c.Options = new ChatHistoryCompressionOptions { TriggerTokens = 10 }).Build();

        await client.GetResponseAsync(conversation, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(conversation, Assert.Single(inner.Requests));
    }

    [Fact]
    public async Task InAToolLoop_EveryModelCallIsCompressed_AndTheLoopStillGetsItsValues()
    {
        // Three tool steps with large JSON results; the model asks for the next step using the id from the last result.
        int step = 0;
        var inner = new RecordingChatClient
        {
            Reply = request =>
            {
                step++;
                if (step > 3)
                {
                    return new ChatMessage(ChatRole.Assistant, "done");
                }

                string last = request.SelectMany(m => m.Contents).OfType<FunctionResultContent>().LastOrDefault()?.Result?.ToString() ?? "ORD-00000";
                string id = System.Text.RegularExpressions.Regex.Match(last, @"ORD-\d+").Value;
                return new ChatMessage(ChatRole.Assistant, [new FunctionCallContent($"c{step}", "lookup", new Dictionary<string, object?> { ["id"] = id })]);
            },
        };
        AIFunction lookup = AIFunctionFactory.Create((string id) => LargeResult(id), "lookup");
        using IChatClient client = inner.AsBuilder()
            .UseFunctionInvocation(configure: c => c.UseObservationCompression())
            .UseContextCompression(s_compressor, c => c.Options = new ChatHistoryCompressionOptions { TriggerTokens = 1_500 })
            .Build();

        ChatResponse response = await client.GetResponseAsync(
            [new ChatMessage(ChatRole.System, "Agent."), new ChatMessage(ChatRole.User, "Follow the chain of orders from ORD-10000.")],
            new ChatOptions { Tools = [lookup] },
            TestContext.Current.CancellationToken);

        Assert.Equal("done", response.Text);
        Assert.Equal(4, inner.Requests.Count);
        Assert.All(inner.Requests, r => Assert.Empty(ContextValidation.FindProblems(ChatMessageAdapter.ToContextItems(r))));

        // The newest result of every request was compressed as JSON as it arrived: valid, smaller, with the id the model needs next.
        int original = TiktokenTokenCounter.O200k.CountTokens(LargeResult("ORD-10000"));
        foreach (List<ChatMessage> request in inner.Requests.Skip(1))
        {
            string text = Assert.IsType<string>(request.SelectMany(m => m.Contents).OfType<FunctionResultContent>().Last().Result);
            using var document = System.Text.Json.JsonDocument.Parse(text);
            Assert.Contains("\"next\":\"ORD-", text, StringComparison.Ordinal);
            Assert.True(TiktokenTokenCounter.O200k.CountTokens(text) <= original * 0.55);
        }
    }

    [Fact]
    public async Task UseContextCompression_TakesTheRegisteredOptions()
    {
        var services = new ServiceCollection();
        services.AddContextCompression(o => o.History = new ChatHistoryCompressionOptions { TriggerTokens = 123, Compression = new ContextCompressionOptions { TargetRatio = 0.4 } });
        using ServiceProvider provider = services.BuildServiceProvider();

        using IChatClient client = new RecordingChatClient().AsBuilder().UseContextCompression().Build(provider);
        ContextCompressingChatClient compressing = Assert.IsType<ContextCompressingChatClient>(client.GetService(typeof(ContextCompressingChatClient)));

        Assert.Equal(123, compressing.Options.TriggerTokens);
        Assert.Equal(0.4, compressing.Options.Compression.TargetRatio);
        Assert.Same(provider.GetRequiredService<ContextCompressor>(), compressing.Compressor);
        Assert.IsType<ContextCompressionChatReducer>(provider.GetRequiredService<IChatReducer>());
        await Task.CompletedTask;
    }

    [Fact]
    public void InvalidOptions_FailWhenTheFirstServiceIsResolved_NamingTheSetting()
    {
        var services = new ServiceCollection();
        services.AddContextCompression(o => o.History = new ChatHistoryCompressionOptions { TriggerTokens = -1 });
        using ServiceProvider provider = services.BuildServiceProvider();

        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => provider.GetRequiredService<IChatReducer>());
        Assert.Contains("TriggerTokens", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChatReducer_CompressesOverTheTrigger_AndKeepsShortHistories()
    {
        List<ChatMessage> conversation = AgentConversation(seed: 8);
        var reducer = new ContextCompressionChatReducer(s_compressor, new ChatHistoryCompressionOptions { TriggerTokens = 1_000 });

        List<ChatMessage> reduced = [.. await reducer.ReduceAsync(conversation, TestContext.Current.CancellationToken)];
        List<ChatMessage> shortOne = [.. await reducer.ReduceAsync(conversation.Take(2), TestContext.Current.CancellationToken)];

        Assert.True(Tokens(reduced) < Tokens(conversation) * 0.55);
        Assert.Empty(ContextValidation.FindProblems(ChatMessageAdapter.ToContextItems(reduced)));
        Assert.Equal(conversation.Take(2), shortOne);
    }

    private static string LargeResult(string id)
    {
        int n = int.Parse(id.AsSpan(4), System.Globalization.CultureInfo.InvariantCulture);
        var records = Enumerable.Range(0, 30).Select(i =>
            $"{{\"order_id\":\"ORD-{n + 100 + i}\",\"amount\":{(n % 997) + i}.25,\"description\":\"{SampleTexts.Prose(40, seed: i).ReplaceLineEndings(" ")}\"}}");
        return $"{{\"order\":\"{id}\",\"next\":\"ORD-{n + 1}\",\"related\":[{string.Join(',', records)}]}}";
    }
}
