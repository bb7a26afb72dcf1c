using System.Buffers;
using System.Globalization;
using System.Text.Json;
using ContextPress.Context;
using ContextPress.History;

namespace ContextPress.Cli;

/// <summary>One conversation to compress: its JSON root, its parsed messages and the options that apply to it.</summary>
/// <param name="Root">The input's root: an array of messages, or an object with <c>messages</c>.</param>
/// <param name="Items">The parsed messages, valid (every tool result follows its call).</param>
/// <param name="Options">The command line's defaults with the object's own <c>plan</c>, <c>budget_tokens</c> and <c>target_ratio</c> applied.</param>
internal sealed record HistoryRequest(JsonElement Root, IReadOnlyList<ContextItem> Items, ContextCompressionOptions Options);

/// <summary>Reads <c>compress-history</c> inputs: OpenAI-format message arrays, request objects, plans.</summary>
internal static class HistoryInput
{
    /// <summary>The input object's properties that set options; they are not copied to the output.</summary>
    public static readonly IReadOnlySet<string> OptionProperties = new HashSet<string>(StringComparer.Ordinal) { "plan", "budget_tokens", "target_ratio" };

    private const string Expected = "expected a JSON array of chat messages or an object with a 'messages' array";

    private static readonly JsonDocumentOptions s_documentOptions = new() { MaxDepth = 256 };

    /// <summary>Parses JSON text; a syntax error becomes an input error naming its line and position (both 1-based).</summary>
    /// <param name="text">The JSON text.</param>
    /// <param name="description">The input as error messages name it (for example <c>input file 'a.json'</c>).</param>
    public static JsonDocument ParseDocument(string text, string description)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw CliException.Input($"{description} is empty; {Expected}");
        }

        try
        {
            return JsonDocument.Parse(text, s_documentOptions);
        }
        catch (JsonException ex)
        {
            throw CliException.Input(
                string.Create(CultureInfo.InvariantCulture, $"{description} is not valid JSON at line {ex.LineNumber + 1}, position {ex.BytePositionInLine + 1}: {Reason(ex)}"),
                ex);
        }
    }

    /// <summary>Parses one line of JSON Lines; a syntax error becomes an input error naming its position in the line (1-based).</summary>
    /// <param name="utf8">The line, valid UTF-8 without its line break.</param>
    /// <param name="description">The line as error messages name it (for example <c>line 17</c>).</param>
    public static JsonDocument ParseLine(ReadOnlyMemory<byte> utf8, string description)
    {
        try
        {
            return JsonDocument.Parse(utf8, s_documentOptions);
        }
        catch (JsonException ex)
        {
            throw CliException.Input(
                string.Create(CultureInfo.InvariantCulture, $"{description} is not valid JSON at position {ex.BytePositionInLine + 1}: {Reason(ex)}"),
                ex);
        }
    }

    /// <summary>Checks that <paramref name="utf8"/> is valid UTF-8; otherwise an input error names the first bad byte's offset.</summary>
    public static void EnsureUtf8(ReadOnlySpan<byte> utf8, string description)
    {
        if (System.Text.Unicode.Utf8.IsValid(utf8))
        {
            return;
        }

        int offset = 0;
        while (offset < utf8.Length && System.Text.Rune.DecodeFromUtf8(utf8[offset..], out _, out int consumed) == OperationStatus.Done)
        {
            offset += consumed;
        }

        string found = offset < utf8.Length ? $"byte 0x{utf8[offset]:X2}" : "truncated sequence";
        throw CliException.Input(string.Create(CultureInfo.InvariantCulture, $"{description} is not valid UTF-8: invalid {found} at byte offset {offset}"));
    }

    /// <summary>Reads the messages of <paramref name="root"/>, checks them, and applies the root object's own options to <paramref name="defaults"/>.</summary>
    /// <param name="root">An array of messages, or an object with <c>messages</c> and optionally <c>plan</c>, <c>budget_tokens</c>, <c>target_ratio</c>.</param>
    /// <param name="defaults">The options from the command line.</param>
    /// <param name="description">The input as error messages name it.</param>
    /// <exception cref="CliException">The input is malformed, or a tool result has no preceding call (exit 1).</exception>
    public static HistoryRequest Read(JsonElement root, ContextCompressionOptions defaults, string description)
    {
        if (root.ValueKind is not (JsonValueKind.Array or JsonValueKind.Object))
        {
            throw CliException.Input($"{description}: {Expected}, but found {JsonKinds.Describe(root)}");
        }

        IReadOnlyList<ContextItem> items;
        try
        {
            items = OpenAIChatFormat.Parse(root);
        }
        catch (FormatException ex)
        {
            throw CliException.Input($"{description}: {ex.Message}", ex);
        }

        IReadOnlyList<string> problems = ContextValidation.FindProblems(items);
        if (problems.Count > 0)
        {
            string more = problems.Count > 1 ? string.Create(CultureInfo.InvariantCulture, $" (and {problems.Count - 1} more problem(s))") : string.Empty;
            throw CliException.Input($"{description}: {problems[0]}{more}");
        }

        ContextCompressionOptions options = root.ValueKind == JsonValueKind.Object ? ApplyOverrides(root, defaults, description) : defaults;
        return new HistoryRequest(root, items, options);
    }

    /// <summary>Reads a plan: a string (one step per line), an array of step strings, or <c>{"steps": [...], "current_step": N}</c>.</summary>
    /// <param name="value">The plan value.</param>
    /// <param name="where">The plan as error messages name it (for example <c>'plan'</c>).</param>
    /// <exception cref="CliException">The plan is malformed or has no steps (exit 1).</exception>
    public static ContextPlan ReadPlan(JsonElement value, string where)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                return EnsureSteps(ContextPlan.FromText(value.GetString()!), where);
            case JsonValueKind.Array:
                return EnsureSteps(new ContextPlan { Steps = ReadSteps(value, where) }, where);
            case JsonValueKind.Object:
                if (!value.TryGetProperty("steps", out JsonElement steps) || steps.ValueKind != JsonValueKind.Array)
                {
                    throw CliException.Input($"{where} needs a 'steps' array of strings");
                }

                ContextPlan plan = EnsureSteps(new ContextPlan { Steps = ReadSteps(steps, where + ".steps") }, where);
                JsonElement current = default;
                bool hasCurrent = value.TryGetProperty("current_step", out current) || value.TryGetProperty("currentStep", out current);
                if (!hasCurrent || current.ValueKind == JsonValueKind.Null)
                {
                    return plan;
                }

                if (current.ValueKind != JsonValueKind.Number || !current.TryGetInt32(out int step) || step < 0 || step >= plan.Steps.Count)
                {
                    throw CliException.Input(string.Create(
                        CultureInfo.InvariantCulture,
                        $"{where}: 'current_step' must be a step index from 0 to {plan.Steps.Count - 1}, but is {current.GetRawText()}"));
                }

                return plan with { CurrentStep = step };
            default:
                throw CliException.Input($"{where} must be a string (one step per line), an array of steps or an object with 'steps', but is {JsonKinds.Describe(value)}");
        }
    }

    /// <summary>Reads a <c>--plan</c> file: JSON (an array of steps or an object with <c>steps</c>) when it starts with <c>[</c> or <c>{</c>, otherwise plain text with one step per line.</summary>
    public static ContextPlan ReadPlanText(string text, string description)
    {
        string trimmed = text.TrimStart();
        if (trimmed.StartsWith('[') || trimmed.StartsWith('{'))
        {
            using JsonDocument document = ParseDocument(text, description);
            return ReadPlan(document.RootElement, description);
        }

        return EnsureSteps(ContextPlan.FromText(text.Replace("\r", string.Empty, StringComparison.Ordinal)), description);
    }

    private static ContextCompressionOptions ApplyOverrides(JsonElement root, ContextCompressionOptions defaults, string description)
    {
        ContextCompressionOptions options = defaults;
        if (root.TryGetProperty("plan", out JsonElement plan) && plan.ValueKind != JsonValueKind.Null)
        {
            options = options with { Plan = ReadPlan(plan, $"{description}: 'plan'") };
        }

        bool hasBudget = root.TryGetProperty("budget_tokens", out JsonElement budget) && budget.ValueKind != JsonValueKind.Null;
        bool hasRatio = root.TryGetProperty("target_ratio", out JsonElement ratio) && ratio.ValueKind != JsonValueKind.Null;
        if (hasBudget && hasRatio)
        {
            throw CliException.Input($"{description} sets both 'budget_tokens' and 'target_ratio'; give one of them");
        }

        if (hasBudget)
        {
            if (budget.ValueKind != JsonValueKind.Number || !budget.TryGetInt64(out long tokens) || tokens < 0)
            {
                throw CliException.Input($"{description}: 'budget_tokens' must be a whole number >= 0, but is {budget.GetRawText()}");
            }

            options = options with { BudgetTokens = (int)Math.Min(tokens, int.MaxValue) };
        }
        else if (hasRatio)
        {
            if (ratio.ValueKind != JsonValueKind.Number || !ratio.TryGetDouble(out double value) || !(value > 0 && value <= 1))
            {
                throw CliException.Input($"{description}: 'target_ratio' must be a number in (0, 1], but is {ratio.GetRawText()}");
            }

            options = options with { BudgetTokens = null, TargetRatio = value };
        }

        return options;
    }

    private static string[] ReadSteps(JsonElement array, string where)
    {
        var steps = new List<string>(array.GetArrayLength());
        int index = 0;
        foreach (JsonElement step in array.EnumerateArray())
        {
            if (step.ValueKind != JsonValueKind.String)
            {
                throw CliException.Input(string.Create(CultureInfo.InvariantCulture, $"{where}[{index}] must be a string, but is {JsonKinds.Describe(step)}"));
            }

            string text = step.GetString()!.Trim();
            if (text.Length > 0)
            {
                steps.Add(text);
            }

            index++;
        }

        return [.. steps];
    }

    private static ContextPlan EnsureSteps(ContextPlan plan, string where) =>
        plan.Steps.Count > 0 ? plan : throw CliException.Input($"{where} has no steps");

    /// <summary>The reader's message without its <c>LineNumber: ... | BytePositionInLine: ...</c> suffix, which the caller reports 1-based.</summary>
    private static string Reason(JsonException ex)
    {
        string message = ex.Message;
        int cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        if (cut < 0)
        {
            cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        }

        return (cut >= 0 ? message[..cut] : message).Trim();
    }
}
