using System.Text.Json;
using ContextPress.Observations;
using ContextPress.Samples;
using ContextPress.Tokens;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace ContextPress.SemanticKernel.Tests;

public class ObservationCompressionFilterTests
{
    private static readonly ObservationCompressor s_compressor = ObservationCompressor.CreateDefault();

    private static async Task<FunctionResult> RunFilterAsync(ObservationCompressionFilter filter, KernelFunction function, string raw, KernelArguments arguments)
    {
        var kernel = new Kernel();
        var history = new ChatHistory(SupportTask.SystemPrompt);
        history.AddUserMessage(SupportTask.Request);
        var context = new AutoFunctionInvocationContext(kernel, function, new FunctionResult(function, "placeholder"), history, new ChatMessageContent(AuthorRole.Assistant, string.Empty))
        {
            ToolCallId = "call_1",
            Arguments = arguments,
        };

        // The "function" returns the raw result; the filter runs after it, as in SK's loop.
        await filter.OnAutoFunctionInvocationAsync(context, c =>
        {
            c.Result = new FunctionResult(function, raw);
            return Task.CompletedTask;
        });
        return context.Result;
    }

    private static (KernelFunction Function, string Raw, KernelArguments Arguments) SearchStep()
    {
        var desk = new SupportDesk();
        string token = System.Text.RegularExpressions.Regex.Match(desk.Login(SupportDesk.AgentUser, SupportDesk.AgentPassword), "tok-[0-9-]+").Value;
        KernelFunction function = KernelFunctionFactory.CreateFromMethod(desk.SearchOrders);
        KernelPlugin plugin = KernelPluginFactory.CreateFromFunctions("Crm", [function]);
        return (plugin["SearchOrders"], desk.SearchOrders(token, SupportDesk.CustomerEmail), new KernelArguments { ["accessToken"] = token, ["customerEmail"] = SupportDesk.CustomerEmail });
    }

    [Fact]
    public async Task ALargeJsonResult_IsReplacedBySmallerValidJson_ThatKeepsTheOrderTheRequestNames()
    {
        (KernelFunction function, string raw, KernelArguments arguments) = SearchStep();
        var filter = new ObservationCompressionFilter(s_compressor);

        FunctionResult result = await RunFilterAsync(filter, function, raw, arguments);

        string text = Assert.IsType<string>(result.GetValue<object>());
        using JsonDocument document = JsonDocument.Parse(text);
        Assert.Contains(SupportDesk.DamagedOrderId, text, StringComparison.Ordinal);
        Assert.Contains(SupportDesk.CustomerEmail, text, StringComparison.Ordinal);
        int before = TiktokenTokenCounter.O200k.CountTokens(raw), after = TiktokenTokenCounter.O200k.CountTokens(text);
        Assert.True(after <= before * 0.5, $"{after} of {before} tokens");
    }

    [Fact]
    public async Task ExcludedFunctionsAndResultsUnderTheirThreshold_AreLeftAlone()
    {
        (KernelFunction function, string raw, KernelArguments arguments) = SearchStep();
        var excluding = new ObservationCompressionSettings();
        excluding.ExcludedFunctions.Add("Crm-SearchOrders");
        var highThreshold = new ObservationCompressionSettings();
        highThreshold.Functions["SearchOrders"] = new ObservationCompressionOptions { ThresholdTokens = 100_000 };

        Assert.Same(raw, (await RunFilterAsync(new ObservationCompressionFilter(s_compressor, excluding), function, raw, arguments)).GetValue<object>());
        Assert.Same(raw, (await RunFilterAsync(new ObservationCompressionFilter(s_compressor, highThreshold), function, raw, arguments)).GetValue<object>());
    }
}
