using ContextPress.ChatCompletion;
using ContextPress.History;
using ContextPress.Observations;
using Microsoft.Extensions.AI;

namespace ContextPress.Samples.ChatClientPipeline;

/// <summary>
/// The support task with a plain Microsoft.Extensions.AI pipeline: function invocation with observation compression,
/// then history compression on every model call. Runs once without and once with ContextPress and prints the tokens
/// each model call was sent.
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

        ChatClientBuilder pipeline = model.AsBuilder();
        if (useContextPress)
        {
            var settings = new ObservationCompressionSettings { Default = ObservationCompressionOptions.Default with { ThresholdTokens = 500 } };
            pipeline
                .UseFunctionInvocation(configure: c => c.UseObservationCompression(settings: settings))
                .UseContextCompression(ContextCompressor.CreateDefault(), c => c.Options = c.Options with { TriggerTokens = 2_000 });
        }
        else
        {
            pipeline.UseFunctionInvocation();
        }

        using IChatClient client = pipeline.Use(inner => meter = new TokenMeter(inner)).Build();

        var options = new ChatOptions
        {
            Tools =
            [
                AIFunctionFactory.Create(desk.Login),
                AIFunctionFactory.Create(desk.SearchOrders),
                AIFunctionFactory.Create(desk.GetOrder),
                AIFunctionFactory.Create(desk.RefundPayment),
                AIFunctionFactory.Create(desk.SendEmail),
            ],
        };

        output.WriteLine($"{(useContextPress ? "With" : "Without")} ContextPress, {description}:");
        List<ChatMessage> messages = [new(ChatRole.System, SupportTask.SystemPrompt), new(ChatRole.User, SupportTask.Request)];
        ChatResponse response = await client.GetResponseAsync(messages, options, cancellationToken);
        output.WriteLine($"  agent: {response.Text}");
        return SupportTask.Check(desk, meter?.RequestTokens ?? [], scripted);
    }
}
