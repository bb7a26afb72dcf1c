using System.Security.Cryptography;
using System.Text.Json;
using Google.Protobuf;
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

    /// <summary>The file name of a Hugging Face fast tokenizer, read when the SentencePiece model is absent.</summary>
    public const string TokenizerJsonFileName = "tokenizer.json";

    /// <summary>fairseq's shift of SentencePiece ids (HF <c>XLMRobertaTokenizer.fairseq_offset</c>).</summary>
    public const int FairseqOffset = 1;

    private readonly SentencePieceTokenizer _tokenizer;
    private readonly int _spmSize;
    private readonly int _offset;

    private SentencePieceVocabulary(SentencePieceTokenizer tokenizer, string identity, int offset)
    {
        _tokenizer = tokenizer;
        _spmSize = tokenizer.Vocabulary.Count;
        _offset = offset;
        Identity = identity;
    }

    /// <inheritdoc />
    /// <remarks>SentencePiece size + 2 for a <c>.model</c> file (fairseq specials and <c>&lt;mask&gt;</c>); the vocabulary's size for <c>tokenizer.json</c>, which holds them.</remarks>
    public int Count => _offset == 0 ? _spmSize : _spmSize + _offset + 1;

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
    public int MaskId => Count - 1;

    /// <inheritdoc />
    public string Identity { get; }

    /// <inheritdoc />
    /// <remarks><c>▁</c> (U+2581): the mark of a piece that starts a word.</remarks>
    public string PiecePrefix => "\u2581";

    /// <summary>
    /// Loads <c>sentencepiece.bpe.model</c> from a model directory, else its <c>tokenizer.json</c> (Unigram); or a
    /// <c>.model</c> or <c>tokenizer.json</c> file.
    /// </summary>
    /// <param name="directoryOrFile">The directory or file.</param>
    /// <returns>The tokenizer.</returns>
    /// <exception cref="FileNotFoundException">The directory has neither file.</exception>
    /// <exception cref="InvalidDataException"><c>tokenizer.json</c> is not a Unigram tokenizer in XLM-R's id order.</exception>
    public static SentencePieceVocabulary Load(string directoryOrFile)
    {
        ArgumentException.ThrowIfNullOrEmpty(directoryOrFile);
        string path = directoryOrFile;
        if (Directory.Exists(directoryOrFile))
        {
            path = Path.Combine(directoryOrFile, ModelFileName);
            if (!File.Exists(path) && File.Exists(Path.Combine(directoryOrFile, TokenizerJsonFileName)))
            {
                path = Path.Combine(directoryOrFile, TokenizerJsonFileName);
            }
        }
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"No SentencePiece model at '{path}' (an XLM-R checkpoint needs {ModelFileName} or {TokenizerJsonFileName}).", path);
        }
        using var stream = File.OpenRead(path);
        return path.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? FromTokenizerJson(stream) : Create(stream);
    }

    /// <summary>
    /// Builds the tokenizer from a Hugging Face <c>tokenizer.json</c> whose model is Unigram (XLM-R's fast tokenizer):
    /// its <c>[piece, score]</c> list, already in HF id order (<c>&lt;s&gt; &lt;pad&gt; &lt;/s&gt; &lt;unk&gt;</c> ...
    /// <c>&lt;mask&gt;</c>), and its <c>Precompiled</c> normalizer's character map are written into a SentencePiece
    /// <c>ModelProto</c> (Microsoft.ML.Tokenizers 2.0.1 reads no <c>tokenizer.json</c>), so ids need no offset.
    /// </summary>
    /// <param name="json">The <c>tokenizer.json</c> stream.</param>
    /// <returns>The tokenizer.</returns>
    /// <exception cref="InvalidDataException">Not a Unigram tokenizer, or the specials are not at ids 0–3.</exception>
    public static SentencePieceVocabulary FromTokenizerJson(Stream json)
    {
        ArgumentNullException.ThrowIfNull(json);
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        if (!root.TryGetProperty("model", out var model) || !model.TryGetProperty("type", out var type) || type.GetString() != "Unigram"
            || !model.TryGetProperty("vocab", out var vocab) || vocab.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidDataException("tokenizer.json is not a Unigram tokenizer (model.type 'Unigram' with a vocab list).");
        }

        var pieces = new List<(string Piece, float Score)>();
        foreach (var entry in vocab.EnumerateArray())
        {
            pieces.Add((entry[0].GetString() ?? string.Empty, (float)entry[1].GetDouble()));
        }
        string[] specials = ["<s>", "<pad>", "</s>", "<unk>"];
        if (pieces.Count <= specials.Length || !specials.Select((s, i) => pieces[i].Piece == s).All(x => x))
        {
            throw new InvalidDataException("tokenizer.json does not start with XLM-R's <s> <pad> </s> <unk>.");
        }

        byte[] proto = WriteModelProto(pieces, FindPrecompiledCharsMap(root.TryGetProperty("normalizer", out var normalizer) ? normalizer : default));
        var tokenizer = SentencePieceTokenizer.Create(new MemoryStream(proto), addBeginningOfSentence: false, addEndOfSentence: false);
        string identity = $"hf-unigram{pieces.Count}:{Convert.ToHexStringLower(SHA256.HashData(proto))[..16]}";
        return new SentencePieceVocabulary(tokenizer, identity, offset: 0);
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
        return new SentencePieceVocabulary(tokenizer, identity, FairseqOffset);
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
        "<mask>" => MaskId,
        _ => spmId == _tokenizer.UnknownId ? UnkId : spmId + _offset,
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

    private static byte[]? FindPrecompiledCharsMap(JsonElement normalizer)
    {
        if (normalizer.ValueKind != JsonValueKind.Object)
        {
            return null;
        }
        if (normalizer.TryGetProperty("type", out var kind) && kind.GetString() == "Precompiled"
            && normalizer.TryGetProperty("precompiled_charsmap", out var map) && map.GetString() is { Length: > 0 } base64)
        {
            return Convert.FromBase64String(base64);
        }
        if (normalizer.TryGetProperty("normalizers", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            foreach (var inner in list.EnumerateArray())
            {
                if (FindPrecompiledCharsMap(inner) is { } found)
                {
                    return found;
                }
            }
        }
        return null;
    }

    /// <summary>A SentencePiece <c>ModelProto</c>: pieces (field 1), trainer_spec (2: Unigram, XLM-R's special ids), normalizer_spec (3).</summary>
    private static byte[] WriteModelProto(List<(string Piece, float Score)> pieces, byte[]? charsMap)
    {
        const int normal = 1, unknown = 2, control = 3, userDefined = 4;
        using var stream = new MemoryStream();
        var output = new CodedOutputStream(stream);
        for (int i = 0; i < pieces.Count; i++)
        {
            var (piece, score) = pieces[i];
            int kind = i switch
            {
                3 => unknown,
                < 3 => control,
                _ when i == pieces.Count - 1 && piece == "<mask>" => userDefined,
                _ => normal,
            };
            output.WriteTag(1, WireFormat.WireType.LengthDelimited);
            output.WriteBytes(Message(o =>
            {
                o.WriteTag(1, WireFormat.WireType.LengthDelimited);
                o.WriteString(piece);
                o.WriteTag(2, WireFormat.WireType.Fixed32);
                o.WriteFloat(score);
                o.WriteTag(3, WireFormat.WireType.Varint);
                o.WriteEnum(kind);
            }));
        }

        output.WriteTag(2, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(Message(o =>
        {
            o.WriteTag(3, WireFormat.WireType.Varint);
            o.WriteEnum(1); // UNIGRAM
            foreach (var (field, id) in new[] { (40, 3), (41, 0), (42, 2), (43, 1) }) // unk, bos, eos, pad
            {
                o.WriteTag(field, WireFormat.WireType.Varint);
                o.WriteInt32(id);
            }
        }));

        output.WriteTag(3, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(Message(o =>
        {
            o.WriteTag(1, WireFormat.WireType.LengthDelimited);
            o.WriteString(charsMap is null ? "identity" : "nmt_nfkc");
            if (charsMap is not null)
            {
                o.WriteTag(2, WireFormat.WireType.LengthDelimited);
                o.WriteBytes(ByteString.CopyFrom(charsMap));
            }
            foreach (int field in new[] { 3, 4, 5 }) // add_dummy_prefix, remove_extra_whitespaces, escape_whitespaces
            {
                o.WriteTag(field, WireFormat.WireType.Varint);
                o.WriteBool(true);
            }
        }));
        output.Flush();
        return stream.ToArray();
    }

    private static ByteString Message(Action<CodedOutputStream> write)
    {
        using var stream = new MemoryStream();
        var output = new CodedOutputStream(stream);
        write(output);
        output.Flush();
        return ByteString.CopyFrom(stream.ToArray());
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
