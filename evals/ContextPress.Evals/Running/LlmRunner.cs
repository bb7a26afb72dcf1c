using System.Globalization;
using System.Text;
using System.Text.Json;
using ContextPress.Context;
using ContextPress.Evals.Methods;
using ContextPress.Evals.Tasks;
using ContextPress.Evals.World;
using ContextPress.History;
using ContextPress.SemanticKernel;
using ContextPress.Tokens;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using Microsoft.SemanticKernel.Connectors.OpenAI;

namespace ContextPress.Evals.Running;

/// <summary>
/// The real-LLM mode: any OpenAI-compatible endpoint (OPENAI_API_KEY, optional OPENAI_BASE_URL and OPENAI_MODEL) gets
/// the (compressed) history and the world's kernel functions, and must complete each task by itself; success is judged
/// on the world's state changes. Skipped, with a line in the report, when no key is set.
/// </summary>
internal static class LlmRunner
{
    private const double Ratio = 0.5;

    public static async Task<string> RunAsync(SuiteOptions options, ITokenCounter counter, CancellationToken cancellationToken)
    {
        string? key = Environment.GetEnvironmentVariable("OPENAI_API_KEY");
        if (string.IsNullOrWhiteSpace(key))
        {
            return "Skipped: OPENAI_API_KEY is not set. With it (and optionally OPENAI_BASE_URL, OPENAI_MODEL), every task of the suite runs with the model choosing its own calls, without compression and with ContextPress + plan hint at ratio 0.50; success is judged on the world's state changes.";
        }

        string model = Environment.GetEnvironmentVariable("OPENAI_MODEL") is { Length: > 0 } m ? m : "gpt-4o-mini";
        string? baseUrl = Environment.GetEnvironmentVariable("OPENAI_BASE_URL");
        var service = string.IsNullOrWhiteSpace(baseUrl)
            ? new OpenAIChatCompletionService(model, key)
            : new OpenAIChatCompletionService(model, new Uri(baseUrl), key);
        var prompt = new Compression.PromptCompressor(Scoring.StatisticalTokenScorer.Default, counter);
        IHistoryMethod[] methods = [new NoCompression(), new ContextPressMethod(new ContextCompressor(prompt), withPlan: true)];
        var table = new StringBuilder();
        table.AppendLine(string.Create(CultureInfo.InvariantCulture, $"Model `{model}`{(string.IsNullOrWhiteSpace(baseUrl) ? string.Empty : $" at `{baseUrl}`")}, ratio {Ratio:0.00}, temperature 0."));
        table.AppendLine();
        table.AppendLine("| method | tasks succeeded | model calls | mean tokens sent per call |");
        table.AppendLine("|---|---|---|---|");
        foreach (IHistoryMethod method in methods)
        {
            int succeeded = 0;
            int tasks = 0;
            long calls = 0;
            long tokens = 0;
            foreach ((string family, int index) in EvalSuite.Tasks(options))
            {
                (bool ok, int n, long sent) = await RunTaskAsync(service, method, family, index, options, counter, cancellationToken).ConfigureAwait(false);
                tasks++;
                succeeded += ok ? 1 : 0;
                calls += n;
                tokens += sent;
            }

            table.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| {method.Name} | {succeeded}/{tasks} | {calls} | {(calls == 0 ? 0 : tokens / calls):N0} |"));
        }

        return table.ToString();
    }

    private static async Task<(bool Succeeded, int Calls, long Tokens)> RunTaskAsync(IChatCompletionService service, IHistoryMethod method, string family, int index, SuiteOptions options, ITokenCounter counter, CancellationToken cancellationToken)
    {
        (SimWorld world, EvalTask task) = TaskFamilies.Build(family, index, options.Seed);
        Kernel kernel = WorldKernel.Create(world);
        var history = new List<ContextItem> { ContextItem.System(EvalTask.SystemPrompt), ContextItem.User(task.Instruction) };
        var settings = new OpenAIPromptExecutionSettings { FunctionChoiceBehavior = FunctionChoiceBehavior.Auto(autoInvoke: false), Temperature = 0 };
        int calls = 0;
        long tokens = 0;
        for (int turn = 0; turn < task.Steps.Count + 6; turn++)
        {
            int full = HistoryTokens.Count(counter, history);
            int system = HistoryTokens.System(counter, history);
            int budget = system + (int)Math.Floor(Ratio * (full - system));
            IReadOnlyList<ContextItem> sent = full > options.TriggerTokens
                ? await method.CompressAsync(history, new TurnRequest(budget, new ContextPlan { Steps = task.Hints, CurrentStep = Math.Min(turn, task.Steps.Count - 1) }), cancellationToken).ConfigureAwait(false)
                : history;
            tokens += HistoryTokens.Count(counter, sent);
            calls++;
            var chat = new ChatHistory(ChatHistoryAdapter.ToChatMessageContents(sent));
            ChatMessageContent reply;
            try
            {
                reply = await service.GetChatMessageContentAsync(chat, settings, kernel, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpOperationException)
            {
                break;
            }

            var functionCalls = FunctionCallContent.GetFunctionCalls(reply).ToList();
            if (functionCalls.Count == 0)
            {
                break;
            }

            foreach (FunctionCallContent call in functionCalls)
            {
                string id = call.Id ?? string.Create(CultureInfo.InvariantCulture, $"call_{turn}_{call.FunctionName}");
                string name = $"{call.PluginName}-{call.FunctionName}";
                string arguments = JsonSerializer.Serialize(call.Arguments?.ToDictionary(a => a.Key, a => a.Value?.ToString()) ?? []);
                string result;
                try
                {
                    FunctionResultContent content = await call.InvokeAsync(kernel, cancellationToken).ConfigureAwait(false);
                    result = content.Result?.ToString() ?? string.Empty;
                }
                catch (Exception ex) when (ex is KernelException or ArgumentException or InvalidOperationException)
                {
                    result = $"{{\"status\": \"error\", \"error\": \"{ex.GetType().Name}\"}}";
                }

                history.Add(ContextItem.ToolCallRequest([new ToolCall(id, name, arguments)]));
                history.Add(ContextItem.ToolResult(id, name, result));
            }
        }

        return (WorldTools.Succeeded(world, task), calls, tokens);
    }
}
