using System.Text.Json.Nodes;
using ContextPress.Context;
using ContextPress.History;
using ContextPress.Samples;
using ContextPress.Tokens;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using Microsoft.SemanticKernel.Connectors.OpenAI;

namespace ContextPress.SemanticKernel.Tests;

/// <summary>SK's native OpenAI connector (not the chat-client path), talking to a loopback OpenAI-compatible endpoint.</summary>
public class NativeConnectorTests
{
    [Fact]
    public async Task OnTheNativeConnector_ToolResultsReachTheModelCompressed_AndTheReducerShrinksTheStoredHistory()
    {
        var model = new ScriptedSupportModel();
        await using var server = new LoopbackOpenAIServer(model);
        var desk = new SupportDesk();
        IKernelBuilder builder = Kernel.CreateBuilder();
        builder.AddOpenAIChatCompletion("scripted", server.Endpoint, apiKey: "test-key");
        builder.Plugins.AddFromFunctions("Crm",
        [
            KernelFunctionFactory.CreateFromMethod(desk.Login),
            KernelFunctionFactory.CreateFromMethod(desk.SearchOrders),
            KernelFunctionFactory.CreateFromMethod(desk.GetOrder),
            KernelFunctionFactory.CreateFromMethod(desk.RefundPayment),
            KernelFunctionFactory.CreateFromMethod(desk.SendEmail),
        ]);
        builder.AddContextPress(o =>
        {
            o.History = o.History with { TriggerTokens = 1_000 };
            o.Observations.Default = o.Observations.Default with { ThresholdTokens = 400 };
        });
        Kernel kernel = builder.Build();

        var history = new ChatHistory(SupportTask.SystemPrompt);
        history.AddUserMessage(SupportTask.Request);
        var settings = new OpenAIPromptExecutionSettings { FunctionChoiceBehavior = FunctionChoiceBehavior.Auto() };
        ChatMessageContent reply = await kernel.GetRequiredService<IChatCompletionService>().GetChatMessageContentAsync(history, settings, kernel, TestContext.Current.CancellationToken);

        Assert.Empty(model.MissingValues);
        Assert.StartsWith(desk.ExpectedRefundPrefix(), Assert.Single(desk.Refunds), StringComparison.Ordinal);
        Assert.Contains("Done", reply.Content, StringComparison.Ordinal);
        Assert.Equal(6, server.Requests.Count);

        // The search result (~3k tokens raw) reached the model as compact JSON that still names the order.
        JsonObject last = server.Requests[^1];
        IReadOnlyList<ContextItem> sent = OpenAIChatFormat.Parse(last["messages"]!.ToJsonString());
        Assert.Empty(ContextValidation.FindProblems(sent));
        ContextItem search = Assert.Single(sent, i => i.ToolName == "Crm-SearchOrders");
        Assert.Contains(SupportDesk.DamagedOrderId, search.Text, StringComparison.Ordinal);
        var fresh = new SupportDesk();
        string token = System.Text.RegularExpressions.Regex.Match(fresh.Login(SupportDesk.AgentUser, SupportDesk.AgentPassword), "tok-[0-9-]+").Value;
        string raw = fresh.SearchOrders(token, SupportDesk.CustomerEmail);
        Assert.True(TiktokenTokenCounter.O200k.CountTokens(search.Text) * 3 < TiktokenTokenCounter.O200k.CountTokens(raw), search.Text);

        // Between turns the stored history is reduced too, keeping every call with its result.
        history.Add(reply);
        int before = ChatHistoryAdapter.ToContextItems(history).Sum(i => ContextCompressor.CountItemTokens(TiktokenTokenCounter.O200k, i));
        Assert.True(await history.ReduceInPlaceAsync(kernel.GetRequiredService<IChatHistoryReducer>(), TestContext.Current.CancellationToken));
        int after = ChatHistoryAdapter.ToContextItems(history).Sum(i => ContextCompressor.CountItemTokens(TiktokenTokenCounter.O200k, i));
        Assert.True(after < before, $"{after} of {before}");
        SupportHistory.AssertPairsIntact(history);
        Assert.Equal(SupportTask.Request, history.Single(m => m.Role == AuthorRole.User).Content);
    }
}
