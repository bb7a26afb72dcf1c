namespace ContextPress.Tokens;

/// <summary>The tiktoken encodings ContextPress counts tokens in.</summary>
public enum TokenEncoding
{
    /// <summary><c>o200k_base</c>: GPT-4o, GPT-4.1, o-series. The default.</summary>
    O200kBase,

    /// <summary><c>cl100k_base</c>: GPT-4, GPT-3.5; the encoding LLMLingua-2 weights its thresholds with.</summary>
    Cl100kBase,
}
