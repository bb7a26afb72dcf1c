using System.Text;
using ContextPress.Predictor.Chat;
using ContextPress.Predictor.Llama2c;
using ContextPress.Predictor.Tokenization;
using Microsoft.Extensions.AI;

namespace ContextPress.Predictor.Tests;

public sealed class LocalChatClientTests
{
    private const string Prompt = "Once upon a time";

    private static (LocalChatClient Client, string Continuation)? StoriesClient()
    {
        var dir = SharedModels.Find("stories260K");
        if (dir is null)
        {
            return null;
        }
        var model = CausalLM.FromLlama2c(Path.Combine(dir, "stories260K.bin"));
        var tokenizer = new Llama2cPromptTokenizer(Llama2cTokenizer.Load(Path.Combine(dir, "tok512.bin"), model.Config.VocabSize));
        var client = new LocalChatClient(model, tokenizer, new RawTextChatTemplate(), new LocalChatClientOptions { ModelId = "stories260K", DisposeModel = true });
        var expected = Encoding.UTF8.GetString(File.ReadAllBytes(Path.Combine(dir, "expected_greedy_200.txt")));
        Assert.StartsWith(Prompt, expected, StringComparison.Ordinal);
        return (client, expected[Prompt.Length..]);
    }

    [Fact]
    public async Task GreedyReplyContinuesTheReferenceStoryWithUsage()
    {
        var setup = StoriesClient();
        Assert.SkipWhen(setup is null, "shared/models/stories260K is absent");
        var (client, continuation) = setup.Value;
        using var _ = client;
        var ct = TestContext.Current.CancellationToken;

        var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, Prompt)], new ChatOptions { MaxOutputTokens = 30 }, ct);
        Assert.True(response.Text.Length > 60, response.Text);
        Assert.StartsWith(response.Text, continuation, StringComparison.Ordinal);
        Assert.Equal(ChatFinishReason.Length, response.FinishReason);
        Assert.Equal(5, response.Usage?.InputTokenCount); // BOS + " Once" " upon" " a" " time"
        Assert.Equal(30, response.Usage?.OutputTokenCount);
        Assert.Equal(35, response.Usage?.TotalTokenCount);
        Assert.Equal("stories260K", response.ModelId);
        Assert.Equal(ChatRole.Assistant, response.Messages.Single().Role);

        var streamed = new StringBuilder();
        var updates = 0;
        await foreach (var update in client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, Prompt)], new ChatOptions { MaxOutputTokens = 30 }, ct))
        {
            streamed.Append(update.Text);
            updates++;
        }
        Assert.Equal(response.Text, streamed.ToString());
        Assert.True(updates > 10, $"{updates} updates: the reply must stream token by token");
    }

    [Fact]
    public async Task StopSequencesEndTheReplyBeforeTheirText()
    {
        var setup = StoriesClient();
        Assert.SkipWhen(setup is null, "shared/models/stories260K is absent");
        var (client, continuation) = setup.Value;
        using var _ = client;
        var ct = TestContext.Current.CancellationToken;
        var stopAt = continuation.IndexOf("Lily", StringComparison.Ordinal);
        Assert.True(stopAt > 0);

        var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, Prompt)],
            new ChatOptions { MaxOutputTokens = 100, StopSequences = ["Lily"] }, ct);
        Assert.Equal(continuation[..stopAt], response.Text);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.True(response.Usage?.OutputTokenCount < 100);

        var streamed = new StringBuilder();
        await foreach (var update in client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, Prompt)],
            new ChatOptions { MaxOutputTokens = 100, StopSequences = ["Lily"] }, ct))
        {
            streamed.Append(update.Text);
        }
        Assert.Equal(continuation[..stopAt], streamed.ToString());
    }

    [Fact]
    public void ReportsMetadataAndItself()
    {
        var setup = StoriesClient();
        Assert.SkipWhen(setup is null, "shared/models/stories260K is absent");
        using var client = setup.Value.Client;
        IChatClient chat = client;
        var metadata = chat.GetService<ChatClientMetadata>();
        Assert.NotNull(metadata);
        Assert.Equal(LocalChatClient.ProviderName, metadata.ProviderName);
        Assert.Equal("stories260K", metadata.DefaultModelId);
        Assert.Same(client, chat.GetService<LocalChatClient>());
        Assert.NotNull(chat.GetService<CausalLM>());
        Assert.Null(chat.GetService<ChatClientMetadata>("key"));
        Assert.Null(chat.GetService<string>());
    }

    [Fact]
    public void TemplatesRenderTheFamiliesFormats()
    {
        ChatMessage[] messages = [new(ChatRole.System, "Be brief."), new(ChatRole.User, "Hi"), new(ChatRole.Assistant, "Hello!"), new(ChatRole.User, "2+2?")];
        Assert.Equal(
            "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello!<|im_end|>\n<|im_start|>user\n2+2?<|im_end|>\n<|im_start|>assistant\n",
            new ChatMLTemplate().Render(messages));
        Assert.StartsWith("<|im_start|>system\nYou are helpful.<|im_end|>\n<|im_start|>user\nHi",
            new ChatMLTemplate("You are helpful.").Render(messages[1..]), StringComparison.Ordinal);
        Assert.Equal(
            "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"
            + "<|start_header_id|>assistant<|end_header_id|>\n\nHello!<|eot_id|><|start_header_id|>user<|end_header_id|>\n\n2+2?<|eot_id|>"
            + "<|start_header_id|>assistant<|end_header_id|>\n\n",
            new Llama3ChatTemplate().Render(messages));
    }
}
