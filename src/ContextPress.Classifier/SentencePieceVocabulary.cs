using System.Security.Cryptography;
using Microsoft.ML.Tokenizers;

namespace ContextPress.Classifier;

/// <summary>
/// The XLM-RoBERTa tokenizer (<c>sentencepiece.bpe.model</c>, a SentencePiece Unigram model despite its name) on
/// Microsoft.ML.Tokenizers' <see cref="SentencePieceTokenizer"/>, in Hugging Face's fairseq ids.
/// </summary>
/// <remarks>
/// <para>
/// HF <c>XLMRobertaTokenizer</c> shifts every SentencePiece id by one (<c>fairseq_offset = 1</c>) and puts fairseq's
/// specials first: <c>&lt;s&gt;</c> = 0, <c>&lt;pad&gt;</c> = 1, <c>&lt;/s&gt;</c> = 2, <c>&lt;unk&gt;</c> = 3 (the
/// SentencePiece <c>&lt;unk&gt;</c>, id 0, maps there too), then piece <c>k</c> = SentencePiece id <c>k + 1</c>, and
/// <c>&lt;mask&gt;</c> last (SentencePiece size + 1). <see cref="Count"/> is SentencePiece size + 2 (250,002 for XLM-R).
/// </para>
/// <para>
/// Normalization is the model's own (its precompiled <c>nmt_nfkc</c> map, whitespace folded to <c>▁</c>, a dummy
/// <c>▁</c> prefix), as Microsoft.ML.Tokenizers applies it; agreement with transformers' fast tokenizer on the real
/// XLM-R model is not yet checked (no such model here). Thread-safe.
/// </para>
/// </remarks>
public sealed class SentencePieceVocabulary : ITokenClassifierVocabulary
{
    /// <summary>The file name of XLM-R's SentencePiece model in a Hugging Face checkpoint.</summary>
    public const string ModelFileName = "sentencepiece.bpe.model";

    /// <summary>fairseq's shift of SentencePiece ids (HF <c>XLMRobertaTokenizer.fairseq_offset</c>).</summary>
    public const int FairseqOffset = 1;

    private readonly SentencePieceTokenizer _tokenizer;
    private readonly int _spmSize;

    private SentencePieceVocabulary(SentencePieceTokenizer tokenizer, string identity)
    {
        _tokenizer = tokenizer;
        _spmSize = tokenizer.Vocabulary.Count;
        Identity = identity;
    }

    /// <inheritdoc />
    public int Count => _spmSize + FairseqOffset + 1;

    /// <inheritdoc />
    /// <remarks><c>&lt;s&gt;</c> = 0.</remarks>
    public int ClsId => 0;

    /// <inheritdoc />
    /// <remarks><c>&lt;/s&gt;</c> = 2.</remarks>
    public int SepId => 2;

    /// <inheritdoc />
    /// <remarks><c>&lt;pad&gt;</c> = 1.</remarks>
    public int PadId => 1;

    /// <inheritdoc />
    /// <remarks><c>&lt;unk&gt;</c> = 3.</remarks>
    public int UnkId => 3;

    /// <summary>Gets the <c>&lt;mask&gt;</c> id: the last one.</summary>
    public int MaskId => _spmSize + FairseqOffset;

    /// <inheritdoc />
    public string Identity { get; }

    /// <inheritdoc />
    /// <remarks><c>▁</c> (U+2581): the mark of a piece that starts a word.</remarks>
    public string PiecePrefix => "\u2581";

    /// <summary>Loads <c>sentencepiece.bpe.model</c> from a model directory, or a <c>.model</c> file.</summary>
    /// <param name="directoryOrFile">The directory or file.</param>
    /// <returns>The tokenizer.</returns>
    /// <exception cref="FileNotFoundException">The directory has no SentencePiece model.</exception>
    public static SentencePieceVocabulary Load(string directoryOrFile)
    {
        ArgumentException.ThrowIfNullOrEmpty(directoryOrFile);
        string path = Directory.Exists(directoryOrFile) ? Path.Combine(directoryOrFile, ModelFileName) : directoryOrFile;
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"No SentencePiece model at '{path}' (an XLM-R checkpoint needs {ModelFileName}).", path);
        }
        using var stream = File.OpenRead(path);
        return Create(stream);
    }

    /// <summary>Builds the tokenizer from a SentencePiece <c>ModelProto</c> stream (Unigram or BPE).</summary>
    /// <param name="model">The serialized model.</param>
    /// <returns>The tokenizer.</returns>
    public static SentencePieceVocabulary Create(Stream model)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var buffer = new MemoryStream();
        model.CopyTo(buffer);
        byte[] bytes = buffer.ToArray();
        var tokenizer = SentencePieceTokenizer.Create(new MemoryStream(bytes), addBeginningOfSentence: false, addEndOfSentence: false);
        string identity = $"spm{tokenizer.Vocabulary.Count}:{Convert.ToHexStringLower(SHA256.HashData(bytes))[..16]}";
        return new SentencePieceVocabulary(tokenizer, identity);
    }

    /// <summary>Maps a SentencePiece id to the HF id (fairseq order).</summary>
    /// <param name="spmId">The SentencePiece id.</param>
    /// <param name="piece">The piece string.</param>
    /// <returns>The HF id.</returns>
    public int ToModelId(int spmId, string piece) => piece switch
    {
        "<s>" => ClsId,
        "<pad>" => PadId,
        "</s>" => SepId,
        "<unk>" => UnkId,
        _ => spmId == _tokenizer.UnknownId ? UnkId : spmId + FairseqOffset,
    };

    /// <inheritdoc />
    public int TokenToId(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        return token switch
        {
            "<s>" => ClsId,
            "<pad>" => PadId,
            "</s>" => SepId,
            "<unk>" => UnkId,
            "<mask>" => MaskId,
            _ => _tokenizer.Vocabulary.TryGetValue(token, out int spmId) ? ToModelId(spmId, token) : UnkId,
        };
    }

    /// <inheritdoc />
    public IReadOnlyList<WordPiece> Tokenize(ReadOnlySpan<char> text) => TokenizeAligned(text, out _).Select(p => p.Piece).ToArray();

    /// <inheritdoc />
    public int CountTokens(ReadOnlySpan<char> text) => _tokenizer.CountTokens(text, addBeginningOfSentence: false, addEndOfSentence: false);

    /// <summary>
    /// Tokenizes <paramref name="text"/> and gives each piece's start in <paramref name="text"/>, when normalization
    /// kept every character in place (it only turned whitespace into <c>▁</c> and added the dummy prefix).
    /// </summary>
    /// <param name="text">The text.</param>
    /// <param name="aligned">Whether the starts are exact; false when normalization changed the text (NFKC, folded whitespace).</param>
    /// <returns>The pieces with their starts (meaningless when <paramref name="aligned"/> is false).</returns>
    internal IReadOnlyList<(WordPiece Piece, int Start)> TokenizeAligned(ReadOnlySpan<char> text, out bool aligned)
    {
        var tokens = _tokenizer.EncodeToTokens(text, out string? normalized, addBeginningOfSentence: false, addEndOfSentence: false);
        int shift = 0;
        aligned = true;
        if (normalized is not null)
        {
            shift = normalized.Length - text.Length;
            aligned = shift is 0 or 1 && IsInPlace(text, normalized.AsSpan(shift));
        }

        var pieces = new (WordPiece, int)[tokens.Count];
        for (int i = 0; i < pieces.Length; i++)
        {
            var token = tokens[i];
            int start = Math.Clamp(token.Offset.Start.GetOffset(normalized?.Length ?? text.Length) - shift, 0, text.Length);
            if (token.Value.StartsWith('\u2581') && start < text.Length && char.IsWhiteSpace(text[start]))
            {
                start++; // the piece's ▁ stands for the whitespace before its word
            }
            pieces[i] = (new WordPiece(ToModelId(token.Id, token.Value), token.Value), start);
        }
        return pieces;
    }

    private static bool IsInPlace(ReadOnlySpan<char> text, ReadOnlySpan<char> normalized)
    {
        for (int i = 0; i < text.Length; i++)
        {
            if (normalized[i] != text[i] && !(normalized[i] == '\u2581' && char.IsWhiteSpace(text[i])))
            {
                return false;
            }
        }
        return true;
    }
}
