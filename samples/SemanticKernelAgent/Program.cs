using ContextPress.DependencyInjection;
using ContextPress.SemanticKernel;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace ContextPress.Samples.SemanticKernelAgent;

/// <summary>
/// A Semantic Kernel agent with CRM plugins and auto function calling works a support task (five tool steps, large
/// JSON results), once without and once with ContextPress, and prints the tokens each model call was sent.
/// </summary>
public static class Program
{
    /// <summary>Runs the sample; <c>--offline</c> forces the scripted model even when OPENAI_API_KEY is set.</summary>
    /// <param name="args">Command-line arguments.</param>
    /// <returns>0 when both runs completed the task.</returns>
    public static Task<int> Main(string[] args) => RunAsync(Console.Out, args.Contains("--offline"), CancellationToken.None);

    /// <summary>Runs the task without and with ContextPress and reports both.</summary>
    /// <param name="output">Where the report goes.</param>
    /// <param name="offline">Use the scripted model even when an endpoint is configured.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>0 when both runs completed the task.</returns>
    public static async Task<int> RunAsync(TextWriter output, bool offline, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        SupportTask.Outcome baseline = await RunOnceAsync(output, useContextPress: false, offline, cancellationToken);
        SupportTask.Outcome compressed = await RunOnceAsync(output, useContextPress: true, offline, cancellationToken);
        return SupportTask.Report(output, baseline, compressed);
    }

    private static async Task<SupportTask.Outcome> RunOnceAsync(TextWriter output, bool useContextPress, bool offline, CancellationToken cancellationToken)
    {
        var desk = new SupportDesk();
        (IChatClient model, ScriptedSupportModel? scripted, string description) = SupportTask.CreateModel(offline);
        TokenMeter? meter = null;

        IKernelBuilder builder = Kernel.CreateBuilder();
        builder.Plugins.AddFromFunctions("Crm",
        [
            KernelFunctionFactory.CreateFromMethod(desk.Login),
            KernelFunctionFactory.CreateFromMethod(desk.SearchOrders),
            KernelFunctionFactory.CreateFromMethod(desk.GetOrder),
            KernelFunctionFactory.CreateFromMethod(desk.RefundPayment),
            KernelFunctionFactory.CreateFromMethod(desk.SendEmail),
        ]);

        // The model behind SK's function-calling loop. With ContextPress, every model call of the loop is compressed
        // (UseContextCompression sits below UseKernelFunctionInvocation) and each tool result is compressed as it arrives.
        ChatClientBuilder chatClient = builder.Services.AddChatClient(model).UseKernelFunctionInvocation();
        if (useContextPress)
        {
            builder.AddContextPress(o =>
            {
                o.History = o.History with { TriggerTokens = 2_000 };
                o.Observations.Default = o.Observations.Default with { ThresholdTokens = 500 };
            });
            chatClient.UseContextCompression();
        }

        chatClient.Use(inner => meter = new TokenMeter(inner));
        builder.Services.AddSingleton<IChatCompletionService>(sp => sp.GetRequiredService<IChatClient>().AsChatCompletionService(sp));
        Kernel kernel = builder.Build();

        output.WriteLine($"{(useContextPress ? "With" : "Without")} ContextPress, {description}:");
        var history = new ChatHistory(SupportTask.SystemPrompt);
        history.AddUserMessage(SupportTask.Request);
        var settings = new PromptExecutionSettings { FunctionChoiceBehavior = FunctionChoiceBehavior.Auto() };
        ChatMessageContent reply = await kernel.GetRequiredService<IChatCompletionService>().GetChatMessageContentAsync(history, settings, kernel, cancellationToken);
        history.Add(reply);
        output.WriteLine($"  agent: {reply.Content}");

        if (useContextPress)
        {
            // Between turns the stored history itself is compressed by the reducer (SK agents take the same reducer).
            int messages = history.Count;
            bool reduced = await history.ReduceInPlaceAsync(kernel.GetRequiredService<IChatHistoryReducer>(), cancellationToken);
            output.WriteLine($"  history after the turn: {messages} messages, {(reduced ? "compressed by the reducer" : "under the reducer's trigger")}");
        }

        return SupportTask.Check(desk, meter?.RequestTokens ?? [], scripted);
    }
}
