namespace ContextPress.Classifier;

/// <summary>The tokenizer of a token-classification checkpoint, in the checkpoint's own (Hugging Face) ids.</summary>
/// <remarks>Implementations: <see cref="WordPieceVocabulary"/> (BERT <c>vocab.txt</c>), <see cref="SentencePieceVocabulary"/> (XLM-R). Thread-safe.</remarks>
public interface ITokenClassifierVocabulary
{
    /// <summary>Gets the number of ids the tokenizer produces (Hugging Face's <c>len(tokenizer)</c>); ids past it are added tokens.</summary>
    int Count { get; }

    /// <summary>Gets the id that opens a sequence (<c>[CLS]</c>, <c>&lt;s&gt;</c>).</summary>
    int ClsId { get; }

    /// <summary>Gets the id that closes a sequence (<c>[SEP]</c>, <c>&lt;/s&gt;</c>).</summary>
    int SepId { get; }

    /// <summary>Gets the padding id.</summary>
    int PadId { get; }

    /// <summary>Gets the unknown-token id.</summary>
    int UnkId { get; }

    /// <summary>Gets a short identity (kind, size, content hash) for fingerprints.</summary>
    string Identity { get; }

    /// <summary>Gets the prefix that marks a piece continuing a word (<c>##</c>) or, for SentencePiece, starting one (<c>▁</c>).</summary>
    string PiecePrefix { get; }

    /// <summary>Hugging Face's <c>convert_tokens_to_ids</c> for one token string: its id, or <see cref="UnkId"/> when the vocabulary lacks it.</summary>
    /// <param name="token">The token string, e.g. <c>"[CLS]"</c>.</param>
    /// <returns>The id.</returns>
    int TokenToId(string token);

    /// <summary>Tokenizes <paramref name="text"/> without special tokens.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The pieces in order.</returns>
    IReadOnlyList<WordPiece> Tokenize(ReadOnlySpan<char> text);

    /// <summary>Counts the pieces of <paramref name="text"/> (no special tokens).</summary>
    /// <param name="text">The text.</param>
    /// <returns>The count.</returns>
    int CountTokens(ReadOnlySpan<char> text);
}
