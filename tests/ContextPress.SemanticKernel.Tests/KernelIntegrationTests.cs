using ContextPress.Context;
using ContextPress.DependencyInjection;
using ContextPress.Samples;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace ContextPress.SemanticKernel.Tests;

/// <summary>A real kernel with real kernel functions and auto function calling; the model is the scripted support model, which may only use what it is sent.</summary>
public class KernelIntegrationTests
{
    private static (Kernel Kernel, SupportDesk Desk, ScriptedSupportModel Model, RecordingClient Recorder) BuildKernel(Action<ContextPressOptions>? configure)
    {
        var desk = new SupportDesk();
        var model = new ScriptedSupportModel();
        RecordingClient? recorder = null;
        IKernelBuilder builder = Kernel.CreateBuilder();
        builder.Plugins.AddFromFunctions("Crm",
        [
            KernelFunctionFactory.CreateFromMethod(desk.Login),
            KernelFunctionFactory.CreateFromMethod(desk.SearchOrders),
            KernelFunctionFactory.CreateFromMethod(desk.GetOrder),
            KernelFunctionFactory.CreateFromMethod(desk.RefundPayment),
            KernelFunctionFactory.CreateFromMethod(desk.SendEmail),
        ]);
        ChatClientBuilder chat = builder.Services.AddChatClient(model).UseKernelFunctionInvocation();
        if (configure is not null)
        {
            builder.AddContextPress(configure);
            chat.UseContextCompression();
        }

        chat.Use(inner => recorder = new RecordingClient(inner));
        builder.Services.AddSingleton<IChatCompletionService>(sp => sp.GetRequiredService<IChatClient>().AsChatCompletionService(sp));
        Kernel kernel = builder.Build();
        _ = kernel.GetRequiredService<IChatCompletionService>();
        return (kernel, desk, model, recorder!);
    }

    private static async Task<ChatMessageContent> RunTaskAsync(Kernel kernel, ChatHistory history)
    {
        var settings = new PromptExecutionSettings { FunctionChoiceBehavior = FunctionChoiceBehavior.Auto() };
        return await kernel.GetRequiredService<IChatCompletionService>().GetChatMessageContentAsync(history, settings, kernel, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task TheToolLoopRunsFiveSteps_OnCompressedValidContext_AndStillRefundsTheRightAmount()
    {
        (Kernel plain, SupportDesk plainDesk, ScriptedSupportModel plainModel, RecordingClient plainRecorder) = BuildKernel(configure: null);
        (Kernel kernel, SupportDesk desk, ScriptedSupportModel model, RecordingClient recorder) = BuildKernel(o =>
        {
            o.History = o.History with { TriggerTokens = 1_500 };
            o.Observations.Default = o.Observations.Default with { ThresholdTokens = 400 };
        });

        ChatHistory plainHistory = NewHistory(), history = NewHistory();
        await RunTaskAsync(plain, plainHistory);
        ChatMessageContent reply = await RunTaskAsync(kernel, history);

        // Same task, same outcome: the refund of the damaged order's payment, in full, and the e-mail naming it.
        Assert.Empty(model.MissingValues);
        Assert.Empty(plainModel.MissingValues);
        string refund = Assert.Single(desk.Refunds);
        Assert.StartsWith(desk.ExpectedRefundPrefix(), refund, StringComparison.Ordinal);
        Assert.Contains(desk.Emails, e => e.StartsWith(SupportDesk.CustomerEmail, StringComparison.Ordinal) && e.Contains(refund.Split(' ')[^1], StringComparison.Ordinal));
        Assert.Contains("Done", reply.Content, StringComparison.Ordinal);

        // Six model calls each; every request valid for the chat API; what reached the model is far smaller.
        Assert.Equal(6, recorder.Requests.Count);
        Assert.Equal(plainRecorder.Requests.Count, recorder.Requests.Count);
        Assert.All(recorder.Requests, r => Assert.Empty(ContextValidation.FindProblems(ChatMessageAdapter.ToContextItems(r))));
        Assert.All(recorder.Requests, r => Assert.Equal(SupportTask.SystemPrompt, r[0].Text));
        int plainTokens = plainRecorder.Requests.Sum(RecordingClient.Tokens), tokens = recorder.Requests.Sum(RecordingClient.Tokens);
        Assert.True(tokens <= plainTokens * 0.5, $"{tokens} of {plainTokens} tokens");
        for (int i = 2; i < recorder.Requests.Count; i++)
        {
            Assert.True(RecordingClient.Tokens(recorder.Requests[i]) < RecordingClient.Tokens(plainRecorder.Requests[i]), $"call {i + 1}");
        }

        // The caller's history holds the compressed observations, in valid pairs.
        SupportHistory.AssertPairsIntact(history);
    }

    [Fact]
    public async Task PromptFunctions_GetTheirContextSectionsCompressed_AndTheRestOfThePromptAsWritten()
    {
        var model = new ScriptedPromptModel();
        IKernelBuilder builder = Kernel.CreateBuilder();
        builder.Services.AddSingleton<IChatCompletionService>(((IChatClient)model).AsChatCompletionService());
        builder.AddContextPress(o => o.PromptSections = o.PromptSections with { ThresholdTokens = 100 });
        Kernel kernel = builder.Build();

        string document = string.Join(' ', Enumerable.Repeat("The harbour museum opened in 1911 and keeps ship models, charts and letters from sailors in a long hall by the water.", 40));
        FunctionResult result = await kernel.InvokePromptAsync(
            "Answer from the context only.\n<context>{{$document}}</context>\nQuestion: {{$question}}",
            new KernelArguments { ["document"] = document, ["question"] = "When did the museum open?" },
            cancellationToken: TestContext.Current.CancellationToken);

        string sent = Assert.Single(model.Prompts);
        Assert.StartsWith("Answer from the context only.\n<context>", sent, StringComparison.Ordinal);
        Assert.EndsWith("</context>\nQuestion: When did the museum open?", sent, StringComparison.Ordinal);
        Assert.True(sent.Length < document.Length * 0.7, $"{sent.Length} chars sent for a {document.Length}-char document");
        Assert.Contains("1911", sent, StringComparison.Ordinal);
        Assert.Equal("ok", result.ToString());
    }

    [Fact]
    public void InvalidOptions_FailWhenTheKernelIsBuilt()
    {
        IKernelBuilder builder = Kernel.CreateBuilder();
        builder.AddContextPress(o => o.Observations.Default = o.Observations.Default with { TargetRatio = 2 });

        var error = Assert.Throws<OptionsValidationException>(() => builder.Build());
        Assert.Contains("TargetRatio", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddContextPress_RegistersTheChosenIntegrations()
    {
        IKernelBuilder builder = Kernel.CreateBuilder();
        builder.AddContextPress(features: ContextPressFeatures.ObservationCompression | ContextPressFeatures.HistoryReduction);
        Kernel kernel = builder.Build();

        Assert.IsType<ObservationCompressionFilter>(Assert.Single(kernel.AutoFunctionInvocationFilters));
        Assert.Empty(kernel.PromptRenderFilters);
        Assert.IsType<ContextCompressionChatHistoryReducer>(kernel.GetRequiredService<IChatHistoryReducer>());
    }

    private static ChatHistory NewHistory()
    {
        var history = new ChatHistory(SupportTask.SystemPrompt);
        history.AddUserMessage(SupportTask.Request);
        return history;
    }

    internal sealed class RecordingClient(IChatClient inner) : DelegatingChatClient(inner)
    {
        public List<List<ChatMessage>> Requests { get; } = [];

        public static int Tokens(List<ChatMessage> messages) =>
            ChatMessageAdapter.ToContextItems(messages).Sum(i => ContextPress.History.ContextCompressor.CountItemTokens(ContextPress.Tokens.TiktokenTokenCounter.O200k, i));

        public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            List<ChatMessage> request = [.. messages];
            Requests.Add(request);
            return base.GetResponseAsync(request, options, cancellationToken);
        }
    }

    private sealed class ScriptedPromptModel : IChatClient
    {
        public List<string> Prompts { get; } = [];

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            Prompts.Add(string.Join('\n', messages.Select(m => m.Text)));
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok")));
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) =>
            serviceKey is not null ? null : serviceType == typeof(ChatClientMetadata) ? new ChatClientMetadata("scripted") : serviceType.IsInstanceOfType(this) ? this : null;

        public void Dispose()
        {
        }
    }
}
