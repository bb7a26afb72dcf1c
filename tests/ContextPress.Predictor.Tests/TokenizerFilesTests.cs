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

    [Fact]
    public void ADirectoryWithoutTokenizerFilesNamesWhatItLookedFor()
    {
        var e = Assert.Throws<FileNotFoundException>(() => PromptTokenizerFactory.FromDirectory(_dir));
        Assert.Contains("tokenizer.json", e.Message, StringComparison.Ordinal);
        Assert.Contains("tokenizer.model", e.Message, StringComparison.Ordinal);
    }
}
