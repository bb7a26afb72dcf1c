using ContextPress.Compression;

namespace ContextPress.History;

/// <summary>Settings of one <see cref="ContextCompressor"/> call.</summary>
public sealed record ContextCompressionOptions
{
    /// <summary>Gets the token budget of the whole history; when null, <see cref="TargetRatio"/> applies.</summary>
    public int? BudgetTokens { get; init; }

    /// <summary>
    /// Gets the fraction of the non-system tokens to keep when <see cref="BudgetTokens"/> is null (system messages are
    /// always kept and count on top). Default 0.5.
    /// </summary>
    public double TargetRatio { get; init; } = 0.5;

    /// <summary>Gets the plan; when null it is inferred from the latest user request and the latest assistant turns.</summary>
    public ContextPlan? Plan { get; init; }

    /// <summary>Gets how many plan steps from the current one count as "next". Default 3.</summary>
    public int LookaheadSteps { get; init; } = 3;

    /// <summary>
    /// Gets how many of the latest user turns are protected whole (the user message and everything after it).
    /// Default 0: only the last user message itself and the <see cref="ProtectedRecentSteps"/> are protected, because
    /// in an agent loop one turn can hold every tool step.
    /// </summary>
    public int ProtectedRecentTurns { get; init; }

    /// <summary>
    /// Gets how many of the latest steps (an assistant message with the tool results that answer it) are protected.
    /// Default 1: the most recent call/result pair.
    /// </summary>
    public int ProtectedRecentSteps { get; init; } = 1;

    /// <summary>Gets the options for prose compression of items.</summary>
    public PromptCompressionOptions PromptOptions { get; init; } = PromptCompressionOptions.Default;

    /// <summary>Throws when a setting is out of range.</summary>
    public void Validate()
    {
        if (BudgetTokens is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(BudgetTokens), BudgetTokens, "The budget cannot be negative.");
        }

        if (BudgetTokens is null && (double.IsNaN(TargetRatio) || TargetRatio <= 0 || TargetRatio > 1))
        {
            throw new ArgumentOutOfRangeException(nameof(TargetRatio), TargetRatio, "The target ratio must be in (0, 1].");
        }

        if (LookaheadSteps < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(LookaheadSteps), LookaheadSteps, "Look at least one step ahead.");
        }

        if (ProtectedRecentTurns < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(ProtectedRecentTurns), ProtectedRecentTurns, "Cannot be negative.");
        }

        if (ProtectedRecentSteps < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(ProtectedRecentSteps), ProtectedRecentSteps, "Cannot be negative.");
        }

        PromptOptions.Validate();
    }
}
