using System.Text;
using System.Text.Json;
using ContextPress.Context;
using ContextPress.Evals.Tasks;

namespace ContextPress.Evals.Running;

/// <summary>The oracle's next call, or the facts it could not find in its context.</summary>
internal sealed record OracleDecision(IReadOnlyDictionary<string, string>? Arguments, IReadOnlyList<string> MissingFacts)
{
    public bool Succeeded => Arguments is not null;
}

/// <summary>
/// A deterministic agent that knows the gold plan but may only take argument values from the context it is sent: every
/// fact a step needs is looked up by value in the (compressed) context's text and copied from there; when one is gone,
/// the oracle cannot make the call and the task fails.
/// </summary>
internal static class OracleAgent
{
    public static OracleDecision Decide(IReadOnlyList<ContextItem> context, TaskStep step)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(step);
        string text = ContextText(context);
        List<string> missing = step.RequiredFacts.Where(f => !text.Contains(f, StringComparison.Ordinal)).ToList();
        if (missing.Count > 0)
        {
            return new OracleDecision(null, missing);
        }

        var arguments = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (StepArgument argument in step.Arguments)
        {
            arguments[argument.Name] = argument.Source == ArgumentSource.Fact
                ? CopyFrom(text, argument.Value)
                : argument.Value; // literals are the agent's own words; derived values are computed from facts found above
        }

        return new OracleDecision(arguments, []);
    }

    /// <summary>Counts how many of <paramref name="facts"/> occur in the context.</summary>
    public static int CountPresent(IReadOnlyList<ContextItem> context, IReadOnlyList<string> facts)
    {
        string text = ContextText(context);
        return facts.Count(f => text.Contains(f, StringComparison.Ordinal));
    }

    /// <summary>The text an agent can read: every item's text and its tool calls' decoded argument values.</summary>
    public static string ContextText(IReadOnlyList<ContextItem> context)
    {
        var text = new StringBuilder();
        foreach (ContextItem item in context)
        {
            text.Append(item.Text).Append('\n');
            foreach (ToolCall call in item.ToolCalls)
            {
                text.Append(call.Name).Append(' ');
                using JsonDocument arguments = JsonDocument.Parse(string.IsNullOrWhiteSpace(call.ArgumentsJson) ? "{}" : call.ArgumentsJson);
                foreach (JsonProperty property in arguments.RootElement.EnumerateObject())
                {
                    text.Append(property.Name).Append('=').Append(property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : property.Value.GetRawText()).Append('\n');
                }
            }
        }

        return text.ToString();
    }

    private static string CopyFrom(string text, string value)
    {
        int at = text.IndexOf(value, StringComparison.Ordinal);
        return text.Substring(at, value.Length);
    }
}
