using System.Globalization;
using System.Text;

namespace ContextPress.Predictor.Llama2c;

/// <summary>
/// llama2.c's <c>tokenizer.bin</c> vocabulary (int32 max token length, then per token: float32 score, int32 length, bytes).
/// Decodes as llama2.c's <c>run.c</c>: the piece after BOS loses its leading space, and <c>&lt;0xNN&gt;</c> pieces are raw bytes.
/// </summary>
public sealed class Llama2cTokenizer
{
    private readonly byte[][] _pieces;

    private Llama2cTokenizer(byte[][] pieces, float[] scores)
    {
        _pieces = pieces;
        Scores = scores;
    }

    /// <summary>Beginning-of-sequence id.</summary>
    public const int Bos = 1;

    /// <summary>End-of-sequence id.</summary>
    public const int Eos = 2;

    /// <summary>Number of pieces.</summary>
    public int VocabSize => _pieces.Length;

    /// <summary>Merge scores, by id.</summary>
    public IReadOnlyList<float> Scores { get; }

    /// <summary>Reads a vocabulary of <paramref name="vocabSize"/> pieces.</summary>
    /// <exception cref="InvalidDataException">The file ends early or has bytes left over.</exception>
    public static Llama2cTokenizer Load(string path, int vocabSize)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var reader = new BinaryReader(File.OpenRead(path));
        try
        {
            reader.ReadInt32(); // max token length
            var pieces = new byte[vocabSize][];
            var scores = new float[vocabSize];
            for (var i = 0; i < vocabSize; i++)
            {
                scores[i] = reader.ReadSingle();
                var length = reader.ReadInt32();
                pieces[i] = length is >= 0 and < 4096 ? reader.ReadBytes(length) : throw new InvalidDataException($"{path}: piece {i} has length {length}.");
                if (pieces[i].Length != length)
                {
                    throw new EndOfStreamException();
                }
            }
            if (reader.BaseStream.Position != reader.BaseStream.Length)
            {
                throw new InvalidDataException($"{path}: {reader.BaseStream.Length - reader.BaseStream.Position} bytes left after {vocabSize} pieces.");
            }
            return new Llama2cTokenizer(pieces, scores);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"{path} ends before {vocabSize} pieces.", e);
        }
    }

    /// <summary>
    /// Encodes text as llama2.c's <c>encode</c> does: a dummy space prefix (for non-empty text), one piece per UTF-8
    /// character (or its bytes as <c>&lt;0xNN&gt;</c> pieces), then repeated merging of the adjacent pair whose merged
    /// piece has the highest score. BOS is not added.
    /// </summary>
    public IReadOnlyList<int> Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lookup = _lookup ??= BuildLookup();
        var tokens = new List<int>();
        if (text.Length == 0)
        {
            return tokens;
        }
        Span<byte> utf8 = stackalloc byte[4];
        foreach (var rune in (" " + text).EnumerateRunes())
        {
            var n = rune.EncodeToUtf8(utf8);
            if (lookup.TryGetValue(Convert.ToBase64String(utf8[..n]), out var id))
            {
                tokens.Add(id);
            }
            else
            {
                foreach (var b in utf8[..n])
                {
                    tokens.Add(b + 3); // byte fallback: <0x00> is id 3
                }
            }
        }
        while (true)
        {
            var bestScore = float.NegativeInfinity;
            var bestId = -1;
            var bestIndex = -1;
            for (var i = 0; i < tokens.Count - 1; i++)
            {
                var merged = Convert.ToBase64String([.. _pieces[tokens[i]], .. _pieces[tokens[i + 1]]]);
                if (lookup.TryGetValue(merged, out var id) && Scores[id] > bestScore)
                {
                    (bestScore, bestId, bestIndex) = (Scores[id], id, i);
                }
            }
            if (bestIndex < 0)
            {
                return tokens;
            }
            tokens[bestIndex] = bestId;
            tokens.RemoveAt(bestIndex + 1);
        }
    }

    private Dictionary<string, int>? _lookup;

    private Dictionary<string, int> BuildLookup()
    {
        var lookup = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < _pieces.Length; i++)
        {
            lookup.TryAdd(Convert.ToBase64String(_pieces[i]), i);
        }
        return lookup;
    }

    /// <summary>The bytes <paramref name="token"/> prints after <paramref name="previous"/>.</summary>
    public ReadOnlySpan<byte> DecodePiece(int previous, int token)
    {
        ReadOnlySpan<byte> piece = _pieces[token];
        if (previous == Bos && piece.Length > 0 && piece[0] == (byte)' ')
        {
            piece = piece[1..];
        }
        if (piece.Length == 6 && piece[0] == (byte)'<' && piece[1] == (byte)'0' && piece[2] == (byte)'x' && piece[5] == (byte)'>'
            && byte.TryParse(Encoding.ASCII.GetString(piece.Slice(3, 2)), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var raw))
        {
            return new[] { raw };
        }
        return piece;
    }

    /// <summary>The bytes a generated sequence prints; <paramref name="tokens"/> starts with the prompt's first token (BOS).</summary>
    public byte[] Decode(IReadOnlyList<int> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        var output = new List<byte>();
        for (var i = 1; i < tokens.Count; i++)
        {
            output.AddRange(DecodePiece(tokens[i - 1], tokens[i]));
        }
        return [.. output];
    }
}
