using ContextPress.Tokens;

namespace ContextPress.Classifier;

/// <summary>Counts tokens in a BERT checkpoint's own WordPiece vocabulary (no <c>[CLS]</c>/<c>[SEP]</c>), for chunking.</summary>
public sealed class WordPieceTokenCounter : ITokenCounter
{
    private readonly WordPieceVocabulary _vocabulary;

    /// <summary>Initializes a new instance of the <see cref="WordPieceTokenCounter"/> class.</summary>
    /// <param name="vocabulary">The vocabulary.</param>
    public WordPieceTokenCounter(WordPieceVocabulary vocabulary)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        _vocabulary = vocabulary;
        EncodingName = $"wordpiece:{vocabulary.Identity}";
    }

    /// <inheritdoc />
    public string EncodingName { get; }

    /// <inheritdoc />
    public int CountTokens(ReadOnlySpan<char> text) => _vocabulary.CountTokens(text);
}
