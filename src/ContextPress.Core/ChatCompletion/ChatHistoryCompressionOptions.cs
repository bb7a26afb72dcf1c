using ContextPress.History;

namespace ContextPress.ChatCompletion;

/// <summary>When a chat history is compressed (a token trigger) and to what (the compressor's budget, plan and protection).</summary>
public sealed record ChatHistoryCompressionOptions
{
    /// <summary>Gets the default options: histories over 4,000 tokens are compressed to half their non-system tokens.</summary>
    public static ChatHistoryCompressionOptions Default { get; } = new();

    /// <summary>
    /// Gets the size above which a history is compressed; histories of at most this many tokens are sent as they are,
    /// which keeps short conversations byte-identical (and their prompt-cache prefixes intact). Default 4,000.
    /// </summary>
    public int TriggerTokens { get; init; } = 4_000;

    /// <summary>Gets the budget, plan and protection settings of the compression.</summary>
    public ContextCompressionOptions Compression { get; init; } = new();

    /// <summary>Throws when a setting is out of range.</summary>
    public void Validate()
    {
        if (TriggerTokens < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(TriggerTokens), TriggerTokens, "The trigger cannot be negative.");
        }

        ArgumentNullException.ThrowIfNull(Compression, nameof(Compression));
        Compression.Validate();
    }
}
