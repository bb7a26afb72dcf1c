using System.Text;
using System.Text.Json;
using ContextPress.Predictor.Tokenization;
using Google.Protobuf;

namespace ContextPress.Predictor.Tests;

/// <summary>Tokenizers read from tiny checkpoint tokenizer files written to a temp directory.</summary>
public sealed class TokenizerFilesTests : IDisposable
{
    private const string QwenPattern = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    private readonly string _dir = Directory.CreateTempSubdirectory("cp-tokenizer-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>GPT-2's bytes_to_unicode: printable bytes map to themselves, the rest to U+0100 upwards.</summary>
    private static char[] ByteChars()
    {
        var chars = new char[256];
        var next = 256;
        for (var b = 0; b < 256; b++)
        {
            var printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            chars[b] = printable ? (char)b : (char)next++;
        }
        return chars;
    }

    private string WriteTokenizerJson(bool mergesAsPairs, string? splitPattern)
    {
        var chars = ByteChars();
        var vocab = new Dictionary<string, int>();
        for (var b = 0; b < 256; b++)
        {
            vocab[chars[b].ToString()] = b;
        }
        string[][] merges = [["Ġ", "t"], ["h", "e"], ["Ġt", "he"], ["l", "o"], ["lo", "w"], ["1", "2"]];
        foreach (var merge in merges)
        {
            vocab[merge[0] + merge[1]] = vocab.Count;
        }
        object preTokenizer = splitPattern is null
            ? new { type = "ByteLevel", add_prefix_space = false, trim_offsets = true, use_regex = true }
            : new { type = "Sequence", pretokenizers = new object[] { new { type = "Split", pattern = new { Regex = splitPattern }, behavior = "Isolated", invert = false }, new { type = "ByteLevel", add_prefix_space = false, trim_offsets = false, use_regex = false } } };
        var json = new
        {
            version = "1.0",
            added_tokens = new[]
            {
                new { id = 300, content = "<|endoftext|>", special = true },
                new { id = 301, content = "<|im_end|>", special = true },
            },
            pre_tokenizer = preTokenizer,
            decoder = new { type = "ByteLevel" },
            model = new
            {
                type = "BPE",
                vocab,
                merges = mergesAsPairs ? (object)merges : merges.Select(m => $"{m[0]} {m[1]}").ToArray(),
            },
        };
        var path = Path.Combine(_dir, "tokenizer.json");
        File.WriteAllText(path, JsonSerializer.Serialize(json));
        return path;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ByteLevelTokenizerJsonMergesRoundTripsAndKeepsSpecialTokensWhole(bool mergesAsPairs)
    {
        WriteTokenizerJson(mergesAsPairs, splitPattern: null);
        var tokenizer = PromptTokenizerFactory.FromDirectory(_dir);

        Assert.Equal([258], tokenizer.Encode(" the", addBos: false));
        Assert.Equal(['t', 257], tokenizer.Encode("the", addBos: false));
        Assert.Equal([258], tokenizer.EncodeWord(" ", "the"));
        Assert.Equal([260], tokenizer.Encode("low", addBos: false));

        Assert.Null(tokenizer.BosTokenId);
        Assert.Equal([300, 301], tokenizer.StopTokenIds.Order());

        var ids = tokenizer.Encode("low the<|im_end|>", addBos: false);
        Assert.Equal(301, ids[^1]);
        Assert.Equal([260, 258, 301], ids);

        foreach (var text in new[] { "Hello, wörld! 你好\n\t the low 12<|endoftext|>", "  two  spaces ", "émoji 🎉" })
        {
            Assert.Equal(text, tokenizer.Decode(tokenizer.Encode(text, addBos: false)));
        }
    }

    [Fact]
    public void TheSplitPatternOfThePreTokenizerIsUsed()
    {
        // GPT-2's pattern keeps "123" together, so the 1+2 merge applies; Qwen2's splits digits one by one.
        WriteTokenizerJson(mergesAsPairs: false, splitPattern: null);
        Assert.Equal([261, '3'], PromptTokenizerFactory.FromDirectory(_dir).Encode("123", addBos: false));
        WriteTokenizerJson(mergesAsPairs: false, splitPattern: QwenPattern);
        Assert.Equal(['1', '2', '3'], PromptTokenizerFactory.FromDirectory(_dir).Encode("123", addBos: false));
    }

    [Fact]
    public void ConfigSuppliesBosAndStopIds()
    {
        WriteTokenizerJson(mergesAsPairs: false, splitPattern: null);
        var config = new LlamaConfig { BosTokenId = 300, EosTokenId = [301] };
        var tokenizer = PromptTokenizerFactory.FromTokenizerJson(Path.Combine(_dir, "tokenizer.json"), config);
        Assert.Equal(300, tokenizer.BosTokenId);
        Assert.Equal([301], tokenizer.StopTokenIds);
        Assert.Equal([300, 258], tokenizer.Encode(" the", addBos: true));
    }

    private static byte[] Message(Action<CodedOutputStream> write)
    {
        using var stream = new MemoryStream();
        var output = new CodedOutputStream(stream);
        write(output);
        output.Flush();
        return stream.ToArray();
    }

    /// <summary>A SentencePiece BPE ModelProto: control and byte pieces, then "▁the" and "▁low" built by scored merges.</summary>
    private void WriteSentencePieceModel()
    {
        var pieces = new List<(string Piece, float Score, int Type)> { ("<unk>", 0, 2), ("<s>", 0, 3), ("</s>", 0, 3) };
        for (var b = 0; b < 256; b++)
        {
            pieces.Add(($"<0x{b:X2}>", 0, 6));
        }
        foreach (var c in new[] { "▁", "t", "h", "e", "l", "o", "w" })
        {
            pieces.Add((c, -100, 1));
        }
        var merged = new[] { "▁t", "he", "▁the", "lo", "low", "▁low" };
        for (var i = 0; i < merged.Length; i++)
        {
            pieces.Add((merged[i], -1 - i, 1));
        }
        var model = Message(o =>
        {
            foreach (var (piece, score, type) in pieces)
            {
                o.WriteTag(1, WireFormat.WireType.LengthDelimited);
                o.WriteBytes(ByteString.CopyFrom(Message(p =>
                {
                    p.WriteTag(1, WireFormat.WireType.LengthDelimited);
                    p.WriteString(piece);
                    p.WriteTag(2, WireFormat.WireType.Fixed32);
                    p.WriteFloat(score);
                    p.WriteTag(3, WireFormat.WireType.Varint);
                    p.WriteEnum(type);
                })));
            }
            o.WriteTag(2, WireFormat.WireType.LengthDelimited);
            o.WriteBytes(ByteString.CopyFrom(Message(t =>
            {
                t.WriteTag(3, WireFormat.WireType.Varint);
                t.WriteEnum(2); // BPE
                t.WriteTag(35, WireFormat.WireType.Varint);
                t.WriteBool(true); // byte_fallback
                t.WriteTag(40, WireFormat.WireType.Varint);
                t.WriteInt32(0);
                t.WriteTag(41, WireFormat.WireType.Varint);
                t.WriteInt32(1);
                t.WriteTag(42, WireFormat.WireType.Varint);
                t.WriteInt32(2);
            })));
            o.WriteTag(3, WireFormat.WireType.LengthDelimited);
            o.WriteBytes(ByteString.CopyFrom(Message(n =>
            {
                n.WriteTag(1, WireFormat.WireType.LengthDelimited);
                n.WriteString("identity");
                n.WriteTag(3, WireFormat.WireType.Varint);
                n.WriteBool(true); // add_dummy_prefix
                n.WriteTag(4, WireFormat.WireType.Varint);
                n.WriteBool(false);
                n.WriteTag(5, WireFormat.WireType.Varint);
                n.WriteBool(true);
            })));
        });
        File.WriteAllBytes(Path.Combine(_dir, "tokenizer.model"), model);
    }

    [Fact]
    public void SentencePieceModelEncodesWordAlignedAndFallsBackToBytes()
    {
        WriteSentencePieceModel();
        var tokenizer = PromptTokenizerFactory.FromDirectory(_dir, new LlamaConfig { BosTokenId = 1, EosTokenId = [2] });
        Assert.IsType<MlTokenizerPromptTokenizer>(tokenizer);
        var the = 259 + 7 + 2;
        var low = 259 + 7 + 5;
        Assert.Equal([the, low], tokenizer.Encode("the low", addBos: false));
        Assert.Equal([1, the, low], tokenizer.Encode("the low", addBos: true));
        Assert.Equal([the], tokenizer.EncodeWord(" ", "the"));
        Assert.Equal([low], tokenizer.EncodeWord("\n", "low"));
        Assert.Equal([2], tokenizer.StopTokenIds);
        Assert.Equal("the low", tokenizer.Decode([the, low]));

        // "é" is not a piece: its UTF-8 bytes become <0xC3> <0xA9>.
        var ids = tokenizer.Encode("the é", addBos: false);
        Assert.Equal([the, 259, 3 + 0xC3, 3 + 0xA9], ids);
        Assert.Equal("the é", tokenizer.Decode(ids));
    }

    [Fact]
    public void ADirectoryWithoutTokenizerFilesNamesWhatItLookedFor()
    {
        var e = Assert.Throws<FileNotFoundException>(() => PromptTokenizerFactory.FromDirectory(_dir));
        Assert.Contains("tokenizer.json", e.Message, StringComparison.Ordinal);
        Assert.Contains("tokenizer.model", e.Message, StringComparison.Ordinal);
    }
}
