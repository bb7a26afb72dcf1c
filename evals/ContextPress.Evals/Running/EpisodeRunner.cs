using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ContextPress.Context;
using ContextPress.Evals.Methods;
using ContextPress.Evals.Metrics;
using ContextPress.Evals.Tasks;
using ContextPress.Evals.World;
using ContextPress.History;
using ContextPress.Tokens;
using Microsoft.SemanticKernel;

namespace ContextPress.Evals.Running;

/// <summary>One turn: what was sent before the model's call for step <see cref="Step"/>.</summary>
internal sealed record TurnRecord(
    int Step,
    int UncompressedTokens,
    int BudgetTokens,
    int TokensSent,
    bool Compressed,
    double LatencyMs,
    int FactsRequired,
    int FactsKept,
    int CommonPrefixTokens,
    int OutputTokens);

/// <summary>One task run with one method at one ratio.</summary>
internal sealed record EpisodeRecord(
    string TaskId,
    string Family,
    string Method,
    double Ratio,
    IReadOnlyList<TurnRecord> Turns,
    int? OracleFailedStep,
    IReadOnlyList<string> MissingFacts,
    string? FailedTool,
    bool WorldSucceeded)
{
    public bool OracleCompleted => OracleFailedStep is null && WorldSucceeded;

    public int OracleSteps => OracleFailedStep ?? Turns.Count;
}

/// <summary>
/// Runs a task step by step with a compression method (the oracle mode), and records the replay measures on the way.
/// </summary>
/// <remarks>
/// Each turn the method compresses the whole uncompressed history (as middleware does), the oracle reads the next call's
/// arguments from the compressed context, the call runs as a real <see cref="KernelFunction"/> against the task's
/// <see cref="SimWorld"/>, and its full result is appended. Replay: the required facts of every step are counted on
/// the compressed prefix; after the oracle fails, the run goes on with the gold call (the world is deterministic, so the
/// history is the gold history) to measure the later steps too — the oracle's outcome is fixed at its first failure.
/// </remarks>
internal sealed class EpisodeRunner(ITokenCounter counter, int triggerTokens)
{
    // Arguments as an OpenAI-style model writes them: no \u escapes for quotes, dashes or plus signs.
    private static readonly JsonSerializerOptions ArgumentsJsonOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public int TriggerTokens => triggerTokens;

    public async Task<EpisodeRecord> RunAsync(string family, int index, int suiteSeed, IHistoryMethod method, double ratio, CancellationToken cancellationToken)
    {
        (SimWorld world, EvalTask task) = TaskFamilies.Build(family, index, suiteSeed);
        Kernel kernel = WorldKernel.Create(world);
        var history = new List<ContextItem> { ContextItem.System(EvalTask.SystemPrompt), ContextItem.User(task.Instruction) };
        var turns = new List<TurnRecord>(task.Steps.Count);
        int? failedAt = null;
        IReadOnlyList<string> missing = [];
        string previousPrompt = string.Empty;
        for (int k = 0; k < task.Steps.Count; k++)
        {
            TaskStep step = task.Steps[k];
            int full = HistoryTokens.Count(counter, history);
            int system = HistoryTokens.System(counter, history);
            int budget = system + (int)Math.Floor(ratio * (full - system));
            bool compress = full > triggerTokens;
            long started = Stopwatch.GetTimestamp();
            IReadOnlyList<ContextItem> sent = compress
                ? await method.CompressAsync(history, new TurnRequest(budget, new ContextPlan { Steps = task.Hints, CurrentStep = k }), cancellationToken).ConfigureAwait(false)
                : history;
            double latency = Stopwatch.GetElapsedTime(started).TotalMilliseconds;

            IReadOnlyDictionary<string, string> arguments = step.ArgumentValues;
            if (failedAt is null)
            {
                OracleDecision decision = OracleAgent.Decide(sent, step);
                if (decision.Arguments is { } chosen)
                {
                    arguments = chosen;
                }
                else
                {
                    failedAt = k;
                    missing = decision.MissingFacts;
                }
            }

            string prompt = PromptMetrics.Serialize(sent);
            string argumentsJson = JsonSerializer.Serialize(arguments, ArgumentsJsonOptions);
            turns.Add(new TurnRecord(
                k,
                full,
                budget,
                HistoryTokens.Count(counter, sent),
                compress,
                latency,
                step.RequiredFacts.Count,
                OracleAgent.CountPresent(sent, step.RequiredFacts),
                k == 0 ? 0 : PromptMetrics.CommonPrefixTokens(counter, previousPrompt, prompt),
                counter.CountTokens(step.Tool) + counter.CountTokens(argumentsJson)));
            previousPrompt = prompt;

            string callId = string.Create(CultureInfo.InvariantCulture, $"call_{k:00}");
            string result = await WorldKernel.InvokeAsync(kernel, step.Tool, arguments, cancellationToken).ConfigureAwait(false);
            history.Add(ContextItem.ToolCallRequest([new ToolCall(callId, step.Tool, argumentsJson)]));
            history.Add(ContextItem.ToolResult(callId, step.Tool, result));
        }

        return new EpisodeRecord(task.Id, family, method.Name, ratio, turns, failedAt, missing, failedAt is null ? null : task.Steps[failedAt.Value].Tool, failedAt is null && WorldTools.Succeeded(world, task));
    }
}
