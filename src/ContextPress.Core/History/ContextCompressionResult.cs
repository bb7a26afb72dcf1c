using ContextPress.Context;

namespace ContextPress.History;

/// <summary>The outcome of one <see cref="ContextCompressor"/> call.</summary>
public sealed class ContextCompressionResult
{
    /// <summary>Gets the compressed history (valid for the chat API: every tool result follows its call).</summary>
    public required IReadOnlyList<ContextItem> Items { get; init; }

    /// <summary>Gets one report per input item, in input order.</summary>
    public required IReadOnlyList<ContextItemReport> ItemReports { get; init; }

    /// <summary>Gets the history's tokens before.</summary>
    public required int TokensBefore { get; init; }

    /// <summary>Gets the history's tokens after.</summary>
    public required int TokensAfter { get; init; }

    /// <summary>Gets the budget aimed at.</summary>
    public required int BudgetTokens { get; init; }

    /// <summary>Gets a value indicating whether the budget was met; false when the protected items alone exceed it.</summary>
    public required bool BudgetFeasible { get; init; }

    /// <summary>Gets the encoding the counts are in.</summary>
    public required string EncodingName { get; init; }

    /// <summary>Gets the time the call took.</summary>
    public required TimeSpan Elapsed { get; init; }
}
