using ContextPress.Predictor.Tokenization;
using ContextPress.Tokens;

namespace ContextPress.Predictor.Scoring;

/// <summary>
/// Counts a word's tokens as <see cref="CausalLmScorer"/> encodes it (<see cref="IPromptTokenizer.EncodeWord"/>), so the
/// compressor's chunks fit the scorer's window.
/// </summary>
public sealed class PromptTokenCounter : ITokenCounter
{
    private readonly IPromptTokenizer _tokenizer;

    /// <summary>Initializes a new instance of the <see cref="PromptTokenCounter"/> class.</summary>
    /// <param name="tokenizer">The model's tokenizer.</param>
    /// <param name="encodingName">The name reported as <see cref="EncodingName"/>.</param>
    public PromptTokenCounter(IPromptTokenizer tokenizer, string encodingName)
    {
        _tokenizer = tokenizer ?? throw new ArgumentNullException(nameof(tokenizer));
        ArgumentException.ThrowIfNullOrEmpty(encodingName);
        EncodingName = encodingName;
    }

    /// <inheritdoc />
    public string EncodingName { get; }

    /// <inheritdoc />
    /// <remarks>The text is taken as one word: its leading whitespace, then the rest.</remarks>
    public int CountTokens(ReadOnlySpan<char> text)
    {
        var trimmed = text.TrimStart();
        if (trimmed.IsEmpty)
        {
            return 0;
        }
        return _tokenizer.EncodeWord(text[..(text.Length - trimmed.Length)].ToString(), trimmed.ToString()).Count;
    }
}
