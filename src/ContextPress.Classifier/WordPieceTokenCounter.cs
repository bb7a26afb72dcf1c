using ContextPress.Tokens;

namespace ContextPress.Classifier;

/// <summary>Counts tokens in a token-classification checkpoint's own vocabulary (WordPiece or SentencePiece; no special tokens), for chunking.</summary>
public sealed class WordPieceTokenCounter : ITokenCounter
{
    private readonly ITokenClassifierVocabulary _vocabulary;

    /// <summary>Initializes a new instance of the <see cref="WordPieceTokenCounter"/> class.</summary>
    /// <param name="vocabulary">The vocabulary.</param>
    public WordPieceTokenCounter(ITokenClassifierVocabulary vocabulary)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        _vocabulary = vocabulary;
        EncodingName = $"{(vocabulary is SentencePieceVocabulary ? "sentencepiece" : "wordpiece")}:{vocabulary.Identity}";
    }

    /// <inheritdoc />
    public string EncodingName { get; }

    /// <inheritdoc />
    public int CountTokens(ReadOnlySpan<char> text) => _vocabulary.CountTokens(text);
}
