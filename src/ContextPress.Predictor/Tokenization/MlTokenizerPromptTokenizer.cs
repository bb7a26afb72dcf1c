using Microsoft.ML.Tokenizers;

namespace ContextPress.Predictor.Tokenization;

/// <summary><see cref="IPromptTokenizer"/> over a Microsoft.ML.Tokenizers <see cref="Tokenizer"/> (SentencePiece, tiktoken, BPE).</summary>
public sealed class MlTokenizerPromptTokenizer : IPromptTokenizer
{
    private readonly Tokenizer _tokenizer;

    /// <summary>Wraps <paramref name="tokenizer"/>; special ids come from the model's config.</summary>
    public MlTokenizerPromptTokenizer(Tokenizer tokenizer, int? bosTokenId, IReadOnlyCollection<int> stopTokenIds)
    {
        _tokenizer = tokenizer ?? throw new ArgumentNullException(nameof(tokenizer));
        BosTokenId = bosTokenId;
        StopTokenIds = stopTokenIds ?? throw new ArgumentNullException(nameof(stopTokenIds));
    }

    /// <inheritdoc />
    public int? BosTokenId { get; }

    /// <inheritdoc />
    public IReadOnlyCollection<int> StopTokenIds { get; }

    /// <inheritdoc />
    public IReadOnlyList<int> Encode(string text, bool addBos)
    {
        var ids = _tokenizer.EncodeToIds(text);
        return addBos && BosTokenId is { } bos && (ids.Count == 0 || ids[0] != bos) ? [bos, .. ids] : ids;
    }

    /// <inheritdoc />
    /// <remarks>
    /// A SentencePiece tokenizer with a dummy prefix encodes the word alone (the prefix stands for the space before it);
    /// others encode the whitespace and the word. A BOS the tokenizer adds by itself is dropped.
    /// </remarks>
    public IReadOnlyList<int> EncodeWord(string leadingWhitespace, string word)
    {
        ArgumentNullException.ThrowIfNull(leadingWhitespace);
        ArgumentNullException.ThrowIfNull(word);
        var text = _tokenizer is SentencePieceTokenizer { AddDummyPrefix: true } ? word : leadingWhitespace + word;
        var ids = _tokenizer.EncodeToIds(text);
        return BosTokenId is { } bos && ids.Count > 0 && ids[0] == bos ? ids.Skip(1).ToArray() : ids;
    }

    /// <inheritdoc />
    public string Decode(IReadOnlyList<int> ids) => _tokenizer.Decode(ids);
}
