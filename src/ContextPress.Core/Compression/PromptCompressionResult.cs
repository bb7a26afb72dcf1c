using ContextPress.Text;

namespace ContextPress.Compression;

/// <summary>The outcome of one <see cref="PromptCompressor"/> call.</summary>
public sealed class PromptCompressionResult
{
    /// <summary>Gets the compressed text.</summary>
    public required string Text { get; init; }

    /// <summary>Gets the input's token count in <see cref="EncodingName"/>.</summary>
    public required int OriginalTokens { get; init; }

    /// <summary>Gets the result's token count in <see cref="EncodingName"/>.</summary>
    public required int CompressedTokens { get; init; }

    /// <summary>Gets the encoding the counts are in.</summary>
    public required string EncodingName { get; init; }

    /// <summary>Gets the budget the selection aimed at, in tokens.</summary>
    public required int TargetTokens { get; init; }

    /// <summary>
    /// Gets a value indicating whether the budget could be met. False when the words that must be kept
    /// (force tokens, digits) alone exceed it; they are kept all the same.
    /// </summary>
    public required bool BudgetFeasible { get; init; }

    /// <summary>Gets the compression ratio, original over compressed tokens (1 when nothing was kept or removed).</summary>
    public double Ratio => CompressedTokens == 0 ? (OriginalTokens == 0 ? 1 : double.PositiveInfinity) : (double)OriginalTokens / CompressedTokens;

    /// <summary>Gets the achieved rate, compressed over original tokens (1 for empty input).</summary>
    public double Rate => OriginalTokens == 0 ? 1 : (double)CompressedTokens / OriginalTokens;

    /// <summary>Gets the words of the input (offsets into it), or empty when labels were not requested.</summary>
    public IReadOnlyList<WordSpan> Words { get; init; } = [];

    /// <summary>Gets, per word of <see cref="Words"/>, whether it was kept.</summary>
    public IReadOnlyList<bool> Kept { get; init; } = [];

    /// <summary>Gets the number of chunks the input was scored in.</summary>
    public int Chunks { get; init; }

    /// <summary>Gets where the time went.</summary>
    public required PromptCompressionTimings Timings { get; init; }
}
