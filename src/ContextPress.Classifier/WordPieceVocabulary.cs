using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace ContextPress.Classifier;

/// <summary>One WordPiece token: its vocabulary id and its piece string (continuations start with <c>##</c>).</summary>
/// <param name="Id">The vocabulary id.</param>
/// <param name="Piece">The piece string.</param>
public readonly record struct WordPiece(int Id, string Piece)
{
    /// <summary>Gets a value indicating whether the piece continues the previous one (starts with <c>##</c>).</summary>
    public bool IsContinuation => Piece.StartsWith("##", StringComparison.Ordinal);
}

/// <summary>
/// The WordPiece tokenizer of a BERT checkpoint (<c>vocab.txt</c>), built on Microsoft.ML.Tokenizers'
/// <see cref="BertTokenizer"/> with the pre-tokenization of Hugging Face's <c>BasicTokenizer</c>.
/// </summary>
/// <remarks>
/// <para>
/// Microsoft.ML.Tokenizers' default BERT pre-tokenizer regex (<c>\w+|[\p{P}]</c>) silently drops Unicode symbols
/// that are not punctuation (<c>$ + &lt; = &gt; | ~ ^ `</c>, emoji), so <c>"$12.50"</c> would lose its <c>$</c>.
/// Hugging Face splits on whitespace, then isolates every ASCII non-alphanumeric character and every Unicode
/// <c>P*</c> character, and keeps everything else (symbols, emoji) inside the surrounding word. The pre-tokenizer here
/// does exactly that; CJK ideographs are isolated by the tokenizer's own <c>IndividuallyTokenizeCjk</c>, as HF's
/// <c>tokenize_chinese_chars</c> does. A word with no WordPiece cover becomes <c>[UNK]</c>, as in HF.
/// </para>
/// <para>Cased (mBERT <c>bert-base-multilingual-cased</c>): no lower-casing, no accent stripping. Thread-safe.</para>
/// </remarks>
public sealed class WordPieceVocabulary : ITokenClassifierVocabulary
{
    // HF BasicTokenizer._is_punctuation: ASCII 33-47, 58-64, 91-96, 123-126, or any Unicode P* category.
    private const string Punctuation = @"\p{P}!-/:-@\[-`{-~";
    private static readonly Regex s_preTokenizer = new($"[{Punctuation}]|[^\\s{Punctuation}]+", RegexOptions.Compiled | RegexOptions.CultureInvariant);

    private readonly BertTokenizer _tokenizer;

    private readonly Dictionary<string, int> _ids;

    private WordPieceVocabulary(BertTokenizer tokenizer, Dictionary<string, int> ids, string identity)
    {
        _tokenizer = tokenizer;
        _ids = ids;
        Identity = identity;
        Count = ids.Count == 0 ? 0 : ids.Values.Max() + 1;
    }

    /// <inheritdoc />
    public int Count { get; }

    /// <inheritdoc />
    /// <remarks><c>##</c>: the mark of a piece continuing a word.</remarks>
    public string PiecePrefix => "##";

    /// <inheritdoc />
    public int TokenToId(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        return _ids.TryGetValue(token, out int id) ? id : UnkId;
    }

    /// <summary>Gets the <c>[CLS]</c> id.</summary>
    public int ClsId => _tokenizer.ClassificationTokenId;

    /// <summary>Gets the <c>[SEP]</c> id.</summary>
    public int SepId => _tokenizer.SeparatorTokenId;

    /// <summary>Gets the <c>[PAD]</c> id.</summary>
    public int PadId => _tokenizer.PaddingTokenId;

    /// <summary>Gets the <c>[UNK]</c> id.</summary>
    public int UnkId => _tokenizer.UnknownTokenId;

    /// <summary>Gets a short identity of the vocabulary (size and a content hash) for fingerprints.</summary>
    public string Identity { get; }

    /// <summary>Loads a cased <c>vocab.txt</c> (as mBERT's).</summary>
    /// <param name="vocabPath">The file, or a model directory holding <c>vocab.txt</c>.</param>
    /// <param name="lowerCase">Lower-case and strip accents first (uncased checkpoints).</param>
    /// <returns>The tokenizer.</returns>
    public static WordPieceVocabulary Load(string vocabPath, bool lowerCase = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(vocabPath);
        var path = Directory.Exists(vocabPath) ? Path.Combine(vocabPath, "vocab.txt") : vocabPath;
        using var stream = File.OpenRead(path);
        return Create(stream, lowerCase);
    }

    /// <summary>Builds the tokenizer from a <c>vocab.txt</c> stream.</summary>
    /// <param name="vocab">One token per line; line number = id.</param>
    /// <param name="lowerCase">Lower-case and strip accents first (uncased checkpoints).</param>
    /// <returns>The tokenizer.</returns>
    public static WordPieceVocabulary Create(Stream vocab, bool lowerCase = false)
    {
        ArgumentNullException.ThrowIfNull(vocab);
        using var buffer = new MemoryStream();
        vocab.CopyTo(buffer);
        byte[] bytes = buffer.ToArray();
        string identity = $"{lowerCase}:{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes))[..16]}";

        // Special tokens have to reach the pre-tokenizer too, or "[SEP]" in text would be split into "[", "SEP", "]".
        var specials = new Dictionary<string, int>(StringComparer.Ordinal);
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        using (var reader = new StreamReader(new MemoryStream(bytes)))
        {
            int id = 0;
            for (string? line = reader.ReadLine(); line is not null; line = reader.ReadLine(), id++)
            {
                ids.TryAdd(line, id);
                if (line is "[CLS]" or "[SEP]" or "[PAD]" or "[UNK]" or "[MASK]")
                {
                    specials[line] = id;
                }
            }
        }

        var options = new BertOptions
        {
            LowerCaseBeforeTokenization = lowerCase,
            RemoveNonSpacingMarks = lowerCase,
            IndividuallyTokenizeCjk = true,
            ApplyBasicTokenization = true,
            SplitOnSpecialTokens = true,
            PreTokenizer = new RegexPreTokenizer(s_preTokenizer, specials),
        };
        return new WordPieceVocabulary(BertTokenizer.Create(new MemoryStream(bytes), options), ids, identity);
    }

    /// <summary>Tokenizes <paramref name="text"/> into WordPiece tokens, without <c>[CLS]</c>/<c>[SEP]</c>.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The tokens in order.</returns>
    public IReadOnlyList<WordPiece> Tokenize(ReadOnlySpan<char> text)
    {
        var tokens = _tokenizer.EncodeToTokens(Clean(text), out _);
        var pieces = new WordPiece[tokens.Count];
        for (int i = 0; i < pieces.Length; i++)
        {
            pieces[i] = new WordPiece(tokens[i].Id, tokens[i].Value);
        }
        return pieces;
    }

    /// <summary>Counts the WordPiece tokens of <paramref name="text"/> (no special tokens).</summary>
    /// <param name="text">The text.</param>
    /// <returns>The count.</returns>
    public int CountTokens(ReadOnlySpan<char> text) => _tokenizer.CountTokens(Clean(text));

    /// <summary>
    /// HF <c>BasicTokenizer._clean_text</c>: deletes NUL, U+FFFD and every <c>C*</c> character except tab, newline and
    /// carriage return (zero-width joiners, BOMs, <c>\v</c>, <c>\f</c> ...), so <c>"Hel\u200Dlo"</c> tokenizes as <c>"Hello"</c>.
    /// </summary>
    /// <param name="rune">The character.</param>
    /// <returns>Whether the reference deletes it before tokenizing.</returns>
    public static bool IsRemovedByCleaning(System.Text.Rune rune) =>
        rune.Value is 0 or 0xFFFD
        || (rune.Value is not ('\t' or '\n' or '\r') && System.Text.Rune.GetUnicodeCategory(rune) is System.Globalization.UnicodeCategory.Control
            or System.Globalization.UnicodeCategory.Format or System.Globalization.UnicodeCategory.PrivateUse
            or System.Globalization.UnicodeCategory.OtherNotAssigned or System.Globalization.UnicodeCategory.Surrogate);

    /// <summary>HF <c>_clean_text</c>: deletes what <see cref="IsRemovedByCleaning"/> names, turns tab, newline and CR into spaces.</summary>
    private static ReadOnlySpan<char> Clean(ReadOnlySpan<char> text)
    {
        bool dirty = false;
        foreach (var rune in text.EnumerateRunes())
        {
            if (IsRemovedByCleaning(rune) || rune.Value is '\t' or '\n' or '\r')
            {
                dirty = true;
                break;
            }
        }
        if (!dirty)
        {
            return text;
        }
        var builder = new System.Text.StringBuilder(text.Length);
        foreach (var rune in text.EnumerateRunes())
        {
            if (rune.Value is '\t' or '\n' or '\r')
            {
                builder.Append(' '); // HF maps them to a space; ML.NET's own cleaning would delete them and join the words
            }
            else if (!IsRemovedByCleaning(rune))
            {
                builder.Append(rune.ToString());
            }
        }
        return builder.ToString();
    }
}
