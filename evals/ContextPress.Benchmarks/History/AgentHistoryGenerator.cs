using System.Text.Json.Nodes;
using ContextPress.Context;
using ContextPress.History;

namespace ContextPress.Benchmarks.History;

/// <summary>
/// Seeded, deterministic generator of agent histories in a simulated AppWorld-style world (supervisor, Amazon,
/// Splitwise, Venmo, Spotify, Phone, Gmail, Todoist and file-system apps with JSON APIs).
/// </summary>
/// <remarks>
/// <para>
/// A history is a system prompt, the user's request and 6 to 14 tool steps (an assistant tool call with OpenAI-style
/// function name and JSON arguments, then its JSON result in an API envelope: request id, pagination, metadata, and
/// lists of 20 to 60 records with ids, codes, UUIDs, e-mails, amounts, dates, names, long descriptions and look-alike
/// distractors). It is cut before a task step whose arguments come from earlier results (a login token, an id found
/// among look-alikes, an exact amount, the updated rather than the stale value, a value seen many steps before); that
/// step is the gold next call. About one history in five has one huge observation (6k to 10k tokens), either an
/// irrelevant activity log or an itemised statement that holds values the gold call needs.
/// </para>
/// <para>Each history uses its own <see cref="Random"/> from the set's seed and its index; nothing depends on the clock or culture.</para>
/// </remarks>
public sealed class AgentHistoryGenerator
{
    /// <summary>The smallest history size aimed at.</summary>
    public const int MinTokens = 4000;

    /// <summary>The largest history size aimed at (histories with a huge observation may reach 18k).</summary>
    public const int MaxTokens = 16_000;

    private const int MaxAttempts = 40;

    private readonly int _seed;

    /// <summary>Initializes a new instance of the <see cref="AgentHistoryGenerator"/> class.</summary>
    /// <param name="seed">The set's seed.</param>
    public AgentHistoryGenerator(int seed = 20_250_611) => _seed = seed;

    /// <summary>Generates histories 0 to <paramref name="count"/> - 1.</summary>
    /// <param name="count">How many.</param>
    /// <returns>The histories.</returns>
    public IReadOnlyList<AgentHistory> GenerateSet(int count) => [.. Enumerable.Range(0, count).Select(Generate)];

    /// <summary>Generates history <paramref name="index"/> of the set: 4k to 16k tokens, cut before a dependent task step.</summary>
    /// <param name="index">The index.</param>
    /// <returns>The history.</returns>
    public AgentHistory Generate(int index)
    {
        int scenario = index % Scenarios.Names.Length;
        // About one history in five has a huge observation: an itemised bill statement that holds the amount and
        // payee of the gold call (a third of the bill-payment histories), or an irrelevant activity log (one in six of the others).
        int round = index / Scenarios.Names.Length;
        HugeMode huge = scenario == 3 ? (round % 3 == 2 ? HugeMode.Relevant : HugeMode.None) : (round % 6 == 5 ? HugeMode.Irrelevant : HugeMode.None);
        int maxTokens = huge == HugeMode.None ? MaxTokens : MaxTokens + 2000;
        for (int attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var world = new WorldData(SubSeed(index, attempt));
            var builder = new TrajectoryBuilder(world, huge);
            Scenarios.Build(scenario, builder);
            List<ContextItem> items = Items(builder, builder.Steps.Count, out List<int> prefixTokens);

            // Candidate cuts: task steps with an argument from an earlier result, after the huge observation, in the size range.
            var candidates = new List<int>();
            for (int step = 3; step < builder.Steps.Count; step++)
            {
                TrajectoryStep s = builder.Steps[step];
                if (s.PlanIndex >= 0 &&
                    s.Args.Any(a => a.Origin == ValueOrigin.Tool) &&
                    step > builder.HugeStep &&
                    (huge != HugeMode.Relevant || s.Args.Any(a => a.SourceStep == builder.HugeStep)) &&
                    prefixTokens[step] >= MinTokens && prefixTokens[step] <= maxTokens)
                {
                    candidates.Add(step);
                }
            }

            if (candidates.Count == 0)
            {
                continue;
            }

            // Calls that need more values from earlier results are more interesting: weight by their number squared.
            int[] weights = [.. candidates.Select(c => (int)Math.Pow(builder.Steps[c].Args.Count(a => a.Origin == ValueOrigin.Tool), 2))];
            int pick = world.Int(0, weights.Sum());
            int gold = candidates[^1];
            for (int i = 0; i < candidates.Count; i++)
            {
                pick -= weights[i];
                if (pick < 0)
                {
                    gold = candidates[i];
                    break;
                }
            }

            return Create(index, builder, items, gold, prefixTokens[gold]);
        }

        throw new InvalidOperationException($"History {index}: no cut in {MinTokens}..{maxTokens} tokens after {MaxAttempts} attempts.");
    }

    /// <summary>
    /// Generates a history of about <paramref name="targetTokens"/> tokens (within 1%) for latency measurements: a
    /// cut trajectory topped up with an activity-log observation. Its gold call is the step at the cut.
    /// </summary>
    /// <param name="index">The index (distinct from the benchmark set's seeds).</param>
    /// <param name="targetTokens">The size, at least 3000.</param>
    /// <returns>The history.</returns>
    public AgentHistory GenerateOfSize(int index, int targetTokens)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(targetTokens, 3000);
        int scenario = index % Scenarios.Names.Length;
        for (int attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var world = new WorldData(SubSeed(index + 1_000_000, attempt));
            var builder = new TrajectoryBuilder(world, HugeMode.None);
            Scenarios.Build(scenario, builder);
            Items(builder, builder.Steps.Count, out List<int> prefixTokens);

            // The longest prefix that leaves room for a top-up observation of at least 400 tokens.
            int cut = -1;
            for (int step = 3; step < builder.Steps.Count; step++)
            {
                if (prefixTokens[step] <= targetTokens - 400)
                {
                    cut = step;
                }
            }

            if (cut < 0)
            {
                continue;
            }

            // Move the gold step to the end and insert the top-up before it.
            TrajectoryStep goldStep = builder.Steps[cut];
            builder.Steps.RemoveRange(cut, builder.Steps.Count - cut);
            int missing = targetTokens - prefixTokens[cut];
            int logTokens = missing - 60; // the call item and its overhead
            for (int tries = 0; tries < 6; tries++)
            {
                var trial = new WorldData(SubSeed(index + 2_000_000, (attempt * 8) + tries));
                var topUp = new TrajectoryBuilder(trial, HugeMode.None);
                JsonObject log = topUp.ActivityLog(logTokens);
                builder.Add("supervisor__show_activity_log", [TrajectoryBuilder.Trivial("days", 30)], log, "Let me review the recent account activity.", -1, false);
                builder.Steps.Add(goldStep);
                List<ContextItem> items = Items(builder, builder.Steps.Count, out List<int> tokens);
                int size = tokens[builder.Steps.Count - 1]; // the history ends before the gold step
                if (Math.Abs(size - targetTokens) <= targetTokens / 100)
                {
                    return Create(index, builder, items, builder.Steps.Count - 1, size);
                }

                builder.Steps.RemoveRange(builder.Steps.Count - 2, 2);
                logTokens += targetTokens - size;
            }
        }

        throw new InvalidOperationException($"Could not build a {targetTokens}-token history for index {index}.");
    }

    private int SubSeed(int index, int attempt) =>
        unchecked((int)(((uint)_seed * 2_654_435_761u) ^ ((uint)index * 40_503u) ^ ((uint)attempt * 2_246_822_519u)));

    /// <summary>
    /// Builds the items of all steps (tool call item then result item per step); <paramref name="prefixTokens"/>[i] is
    /// the size of the history cut before step i (system, user and steps 0..i-1), and its last entry the whole history's.
    /// </summary>
    private static List<ContextItem> Items(TrajectoryBuilder builder, int steps, out List<int> prefixTokens)
    {
        var items = new List<ContextItem>
        {
            ContextItem.System(SystemPrompt(builder)),
            ContextItem.User(builder.UserRequest),
        };
        prefixTokens = [HistoryTokens.Count(items)];
        for (int i = 0; i < steps; i++)
        {
            TrajectoryStep step = builder.Steps[i];
            string callId = CallId(builder, i);
            ContextItem call = ContextItem.ToolCallRequest([new ToolCall(callId, step.Function, TrajectoryBuilder.ArgumentsJson(step.Args))], 0, step.Thought);
            ContextItem result = ContextItem.ToolResult(callId, step.Function, step.Result, 0);
            items.Add(call);
            items.Add(result);
            prefixTokens.Add(prefixTokens[^1] + HistoryTokens.Count(call) + HistoryTokens.Count(result));
        }

        return items;
    }

    private static string CallId(TrajectoryBuilder builder, int step) => "call_" + StableSuffix(builder.Email + builder.Scenario, step);

    private static string StableSuffix(string text, int step)
    {
        // A deterministic pseudo-random suffix (string.GetHashCode is randomized per process).
        uint hash = 2_166_136_261u;
        foreach (char c in text)
        {
            hash = (hash ^ c) * 16_777_619u;
        }

        hash = (hash ^ (uint)step) * 16_777_619u;
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        var chars = new char[24];
        for (int i = 0; i < chars.Length; i++)
        {
            hash = (hash * 1_103_515_245u) + 12_345u;
            chars[i] = Alphabet[(int)((hash >> 16) % (uint)Alphabet.Length)];
        }

        return new string(chars);
    }

    private static AgentHistory Create(int index, TrajectoryBuilder builder, List<ContextItem> allItems, int gold, int tokens)
    {
        List<ContextItem> items = allItems.GetRange(0, 2 + (2 * gold));
        TrajectoryStep goldStep = builder.Steps[gold];
        var goldCall = new ToolCall(CallId(builder, gold), goldStep.Function, TrajectoryBuilder.ArgumentsJson(goldStep.Args));
        var required = new List<RequiredValue>();
        foreach (CallArg arg in goldStep.Args)
        {
            if (arg.Origin is ValueOrigin.User or ValueOrigin.Tool && arg.Value is JsonValue value)
            {
                string text = value.GetValueKind() == System.Text.Json.JsonValueKind.String
                    ? value.GetValue<string>()
                    : value.ToJsonString(TrajectoryBuilder.Compact);
                int stepsBack = arg.Origin == ValueOrigin.Tool ? gold - arg.SourceStep : 0;
                required.Add(new RequiredValue(arg.Name, text, arg.Origin, stepsBack));
            }
        }

        foreach (RequiredValue value in required)
        {
            if (!items.Any(item => HistoryText.Contains(item, value.Value)))
            {
                throw new InvalidOperationException($"History {index} ({builder.Scenario}): required value '{value.Value}' is not in the history.");
            }
        }

        int planIndex = goldStep.PlanIndex;
        string planText = string.Join('\n', builder.PlanSteps);
        var plan = new ContextPlan { Steps = builder.PlanSteps.ToArray(), CurrentStep = Math.Max(0, planIndex) };
        bool hugeInHistory = builder.HugeStep >= 0 && builder.HugeStep < gold;
        bool hugeRelevant = hugeInHistory && goldStep.Args.Any(a => a.Origin == ValueOrigin.Tool && a.SourceStep == builder.HugeStep);
        return new AgentHistory(
            index,
            builder.Scenario,
            items,
            goldCall,
            required,
            planText,
            plan,
            tokens,
            gold,
            hugeInHistory ? builder.HugeTokens : 0,
            hugeRelevant);
    }

    private static string SystemPrompt(TrajectoryBuilder b) =>
        $"""
        I am your supervisor and you are a super intelligent AI Assistant whose job is to achieve my day-to-day tasks completely autonomously.

        To do this, you will need to interact with app/s (e.g., spotify, venmo etc) using their associated APIs on my behalf. You call the APIs through the tools you are given; each tool is named `<app_name>__<api_name>` and takes the API's parameters as JSON arguments.

        Here are three key APIs that you need to know to get more information:
        - api_docs__show_app_descriptions: get the list of apps and their descriptions.
        - api_docs__show_api_descriptions(app_name): get the list of APIs of an app and their descriptions.
        - api_docs__show_api_doc(app_name, api_name): get the specification of a particular API.

        My name is: {b.FirstName} {b.LastName}. My phone number is {b.Phone}. Look up my e-mail and account passwords with the supervisor app when you need them.

        Key instructions:
        (1) Make sure to end code blocks and tool calls correctly; call one API at a time and look at its result before the next call.
        (2) Remember you can use the variables and results of earlier steps in later steps; copy ids, amounts, e-mails and tokens exactly as the APIs returned them.
        (3) Many APIs return items in "pages". Make sure to run through all the pages when the item you need is not on the first one.
        (4) Once you have completed the task, call apis.supervisor.complete_task(). If the task asks for an answer, pass it as the answer argument.
        (5) Always look at API specifications (using api_docs) before calling an API you have not used before.
        (6) Write small chunks of code and only one chunk of code in every step. Make sure everything is working correctly before making any irreversible change.
        (7) Many APIs return items sorted by date. Records may look alike: check every field (id, name, date, amount) before acting on one.
        (8) Do not make up values; if you cannot find something, say so. Never ask me for information you can look up yourself.
        (9) For dates and times use the ISO format the APIs use, in my time zone (America/Los_Angeles).

        Using these APIs, now begin writing code cells step-by-step to solve the actual task. All tool results are JSON.
        """;
}
