using System.Collections.Concurrent;
using Microsoft.ML.Tokenizers;

namespace ContextPress.Tokens;

/// <summary>
/// An <see cref="ITokenCounter"/> over Microsoft.ML.Tokenizers' tiktoken, with a piece cache.
/// Use <see cref="Get(TokenEncoding)"/>: the tokenizer takes ~0.3 s to build, so instances are shared per process.
/// </summary>
/// <remarks>
/// Counting splits the text only at positions where tiktoken's pre-tokenizer must also split
/// (see <see cref="TiktokenSplit"/>), so the sum of the pieces' counts equals the count of the whole text,
/// and caches the count of each short piece. Agent histories repeat the same words and JSON keys,
/// so most pieces are cache hits and counting costs a hash lookup per word.
/// </remarks>
public sealed class TiktokenTokenCounter : ITokenCounter
{
    private const int MaxCachedPieceLength = 48;
    private const int MaxCacheEntries = 1 << 18;

    private static readonly Lazy<TiktokenTokenCounter> s_o200k = new(() => new TiktokenTokenCounter(TokenEncoding.O200kBase));
    private static readonly Lazy<TiktokenTokenCounter> s_cl100k = new(() => new TiktokenTokenCounter(TokenEncoding.Cl100kBase));

    private readonly ConcurrentDictionary<string, int> _pieceCounts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _pieceLookup;

    private TiktokenTokenCounter(TokenEncoding encoding)
    {
        Encoding = encoding;
        EncodingName = encoding switch
        {
            TokenEncoding.O200kBase => "o200k_base",
            TokenEncoding.Cl100kBase => "cl100k_base",
            _ => throw new ArgumentOutOfRangeException(nameof(encoding), encoding, "Unknown token encoding."),
        };
        Tokenizer = TiktokenTokenizer.CreateForEncoding(EncodingName);
        _pieceLookup = _pieceCounts.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Gets the shared counter for the o200k_base encoding (the default).</summary>
    public static TiktokenTokenCounter O200k => s_o200k.Value;

    /// <summary>Gets the shared counter for the cl100k_base encoding.</summary>
    public static TiktokenTokenCounter Cl100k => s_cl100k.Value;

    /// <summary>Gets the shared counter for <paramref name="encoding"/>.</summary>
    /// <param name="encoding">The encoding.</param>
    /// <returns>The process-wide instance.</returns>
    public static TiktokenTokenCounter Get(TokenEncoding encoding) => encoding switch
    {
        TokenEncoding.O200kBase => O200k,
        TokenEncoding.Cl100kBase => Cl100k,
        _ => throw new ArgumentOutOfRangeException(nameof(encoding), encoding, "Unknown token encoding."),
    };

    /// <summary>Gets the encoding counted in.</summary>
    public TokenEncoding Encoding { get; }

    /// <inheritdoc />
    public string EncodingName { get; }

    /// <summary>Gets the underlying tokenizer (thread-safe for encoding).</summary>
    public TiktokenTokenizer Tokenizer { get; }

    /// <inheritdoc />
    public int CountTokens(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
        {
            return 0;
        }

        // Special-token syntax is matched across our split points by the tokenizer: count such text whole.
        if (text.Contains("<|", StringComparison.Ordinal))
        {
            return Tokenizer.CountTokens(text);
        }

        int total = 0;
        int start = 0;
        while (start < text.Length)
        {
            int end = TiktokenSplit.NextPieceEnd(text, start);
            total += CountPiece(text[start..end]);
            start = end;
        }

        return total;
    }

    /// <summary>Counts one piece that tiktoken's pre-tokenizer cannot split across; cached when short.</summary>
    internal int CountPiece(ReadOnlySpan<char> piece)
    {
        if (piece.Length > MaxCachedPieceLength)
        {
            return Tokenizer.CountTokens(piece);
        }

        if (_pieceLookup.TryGetValue(piece, out int count))
        {
            return count;
        }

        count = Tokenizer.CountTokens(piece);
        if (_pieceCounts.Count >= MaxCacheEntries)
        {
            // A bounded cache: starting over is cheaper than tracking recency, and refills in one pass.
            _pieceCounts.Clear();
        }

        _pieceLookup.TryAdd(piece, count);
        return count;
    }
}
