namespace ContextPress.History;

/// <summary>
/// What the agent will do next: plan steps with the current one, or free text. Items relevant to the next
/// <see cref="ContextCompressionOptions.LookaheadSteps"/> steps are kept in preference to others (PAACE's next-k relevance).
/// </summary>
public sealed record ContextPlan
{
    /// <summary>Gets the plan steps in order.</summary>
    public IReadOnlyList<string> Steps { get; init; } = [];

    /// <summary>Gets the index of the step being executed now.</summary>
    public int CurrentStep { get; init; }

    /// <summary>Creates a plan from free text (one step per non-empty line).</summary>
    /// <param name="text">The plan text.</param>
    /// <returns>The plan, current step 0.</returns>
    public static ContextPlan FromText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new ContextPlan { Steps = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) };
    }

    /// <summary>Returns the text of the steps from the current one, at most <paramref name="lookahead"/> of them.</summary>
    /// <param name="lookahead">How many steps to look ahead.</param>
    /// <returns>The steps' text joined by newlines.</returns>
    public string NextSteps(int lookahead) =>
        string.Join('\n', Steps.Skip(Math.Clamp(CurrentStep, 0, Steps.Count)).Take(Math.Max(1, lookahead)));
}
