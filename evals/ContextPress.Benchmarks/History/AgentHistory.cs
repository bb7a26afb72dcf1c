using ContextPress.Context;
using ContextPress.History;

namespace ContextPress.Benchmarks.History;

/// <summary>Where a value of the gold call comes from.</summary>
public enum ValueOrigin
{
    /// <summary>Page indices, sizes, quantities, flags and enum constants: not measured.</summary>
    Trivial,

    /// <summary>Stated in the user's request.</summary>
    User,

    /// <summary>Found in an earlier tool result.</summary>
    Tool,

    /// <summary>Written by the agent (a message body): not measured.</summary>
    Composed,
}

/// <summary>A value the gold next call needs verbatim.</summary>
/// <param name="Argument">The argument it is passed as.</param>
/// <param name="Value">The value as it appears in the arguments JSON and in the history.</param>
/// <param name="Origin">Where it comes from.</param>
/// <param name="StepsBack">How many tool steps before the gold call its source result is (1 = the latest); 0 for the user request.</param>
public sealed record RequiredValue(string Argument, string Value, ValueOrigin Origin, int StepsBack);

/// <summary>An agent history cut before a tool call, and that call.</summary>
/// <param name="Index">The history's index in its set.</param>
/// <param name="Scenario">The task family.</param>
/// <param name="Items">System prompt, user request and the tool steps before the gold call.</param>
/// <param name="GoldCall">The call the agent makes next.</param>
/// <param name="RequiredValues">The gold call's non-trivial argument values, all present verbatim in <paramref name="Items"/>.</param>
/// <param name="PlanText">The plan, one step per line, without fact values.</param>
/// <param name="Plan">The plan with the gold call's step as the current one.</param>
/// <param name="Tokens">The history's tokens, counted as <see cref="HistoryTokens"/> does.</param>
/// <param name="ToolSteps">The number of call/result steps in <paramref name="Items"/>.</param>
/// <param name="HugeObservationTokens">The tokens of the huge observation, 0 when the history has none.</param>
/// <param name="HugeObservationRelevant">Whether the huge observation holds a value of the gold call.</param>
public sealed record AgentHistory(
    int Index,
    string Scenario,
    IReadOnlyList<ContextItem> Items,
    ToolCall GoldCall,
    IReadOnlyList<RequiredValue> RequiredValues,
    string PlanText,
    ContextPlan Plan,
    int Tokens,
    int ToolSteps,
    int HugeObservationTokens,
    bool HugeObservationRelevant);
