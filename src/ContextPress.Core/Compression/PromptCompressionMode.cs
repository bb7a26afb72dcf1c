namespace ContextPress.Compression;

/// <summary>How <see cref="PromptCompressor"/> turns word probabilities into a selection.</summary>
public enum PromptCompressionMode
{
    /// <summary>
    /// ContextPress's selection: one global budget over the whole input in the configured encoding, met within a
    /// word and verified by an exact count; identifier-safe words; original spacing and line breaks kept;
    /// digits force-kept by default. See the README for every difference from <see cref="Reference"/>.
    /// </summary>
    Default,

    /// <summary>
    /// The selection of microsoft/LLMLingua's <c>compress_prompt(..., use_llmlingua2=True)</c>: per-chunk percentile
    /// threshold over cl100k-token-weighted word probabilities with its integer truncation, strict comparison,
    /// <c>drop_consecutive</c>, and the reference's word rule and joining. Used by parity tests.
    /// </summary>
    Reference,
}
