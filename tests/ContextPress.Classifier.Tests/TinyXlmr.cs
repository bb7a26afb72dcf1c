using System.Globalization;
using ContextPress.Classifier;
using ContextPress.Torch.Safetensors;
using Google.Protobuf;
using TorchSharp;
using static TorchSharp.torch;

namespace ContextPress.Classifier.Tests;

/// <summary>A tiny random-weight XLM-R token classifier and a tiny SentencePiece Unigram model written by hand, for tests.</summary>
internal static class TinyXlmr
{
    /// <summary>SentencePiece pieces after <c>&lt;unk&gt;</c>, <c>&lt;s&gt;</c>, <c>&lt;/s&gt;</c>, with Unigram scores.</summary>
    public static IReadOnlyList<(string Piece, float Score)> Pieces { get; } = BuildPieces();

    /// <summary>SentencePiece size: 3 specials and <see cref="Pieces"/>.</summary>
    public static int SpmSize => 3 + Pieces.Count;

    public static byte[] ModelBytes { get; } = WriteModel();

    public static SentencePieceVocabulary Vocabulary { get; } = SentencePieceVocabulary.Create(new MemoryStream(ModelBytes));

    public static string ConfigJson(int maxPositions = 66) => $$"""
        {
          "architectures": ["XLMRobertaForTokenClassification"],
          "model_type": "xlm-roberta",
          "vocab_size": {{(SpmSize + 2).ToString(CultureInfo.InvariantCulture)}},
          "hidden_size": 32,
          "num_hidden_layers": 2,
          "num_attention_heads": 4,
          "intermediate_size": 64,
          "hidden_act": "gelu",
          "max_position_embeddings": {{maxPositions.ToString(CultureInfo.InvariantCulture)}},
          "type_vocab_size": 1,
          "layer_norm_eps": 1e-05,
          "pad_token_id": 1,
          "bos_token_id": 0,
          "eos_token_id": 2,
          "id2label": { "0": "LABEL_0", "1": "LABEL_1" }
        }
        """;

    public static BertConfig Config { get; } = BertConfig.Parse(ConfigJson());

    /// <summary>A model with seeded random weights (every parameter overwritten from a private generator).</summary>
    public static XLMRobertaForTokenClassification Create(int seed = 11)
    {
        var model = new XLMRobertaForTokenClassification(Config);
        TinyBert.Randomize(model, seed);
        return model;
    }

    /// <summary>Writes config.json, model.safetensors and sentencepiece.bpe.model to a fresh directory.</summary>
    public static string SaveToDirectory(XLMRobertaForTokenClassification model, IReadOnlyDictionary<string, Tensor>? extra = null)
    {
        var dir = Path.Combine(Path.GetTempPath(), "cp-tinyxlmr-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "config.json"), ConfigJson());
        File.WriteAllBytes(Path.Combine(dir, SentencePieceVocabulary.ModelFileName), ModelBytes);
        var tensors = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value);
        foreach (var (k, v) in extra ?? new Dictionary<string, Tensor>())
        {
            tensors[k] = v;
        }
        SafetensorsWriter.Write(Path.Combine(dir, "model.safetensors"), tensors);
        return dir;
    }

    /// <summary>The SentencePiece (spm) id of <paramref name="piece"/>.</summary>
    public static int SpmId(string piece) => 3 + Pieces.Select(p => p.Piece).ToList().IndexOf(piece);

    private static List<(string, float)> BuildPieces()
    {
        var pieces = new List<(string, float)>();
        foreach (var word in new[] { "the", "cat", "sat", "on", "mat", "Paris", "is", "capital", "of", "France", "Question", "dog", "ran" })
        {
            pieces.Add(("\u2581" + word, -2f));
        }
        pieces.AddRange([("Question", -3f), (":", -3f), (",", -3f), (".", -3f), ("!", -3f), ("?", -3f), ("$", -3f), ("\u2581", -4f), ("at", -4f), ("\u2581c", -5f), ("s", -5f)]);
        foreach (char c in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        {
            if (!pieces.Exists(p => p.Item1 == c.ToString()))
            {
                pieces.Add((c.ToString(), -6f));
            }
        }
        return pieces;
    }

    /// <summary>A SentencePiece <c>ModelProto</c>: pieces (1), trainer_spec (2, Unigram), normalizer_spec (3, identity with the usual whitespace handling).</summary>
    private static byte[] WriteModel()
    {
        using var stream = new MemoryStream();
        var output = new CodedOutputStream(stream);
        void Piece(string text, float score, int type)
        {
            output.WriteTag(1, WireFormat.WireType.LengthDelimited);
            output.WriteBytes(Message(o =>
            {
                o.WriteTag(1, WireFormat.WireType.LengthDelimited);
                o.WriteString(text);
                o.WriteTag(2, WireFormat.WireType.Fixed32);
                o.WriteFloat(score);
                o.WriteTag(3, WireFormat.WireType.Varint);
                o.WriteEnum(type);
            }));
        }

        Piece("<unk>", 0, 2); // UNKNOWN
        Piece("<s>", 0, 3); // CONTROL
        Piece("</s>", 0, 3);
        foreach (var (text, score) in Pieces)
        {
            Piece(text, score, 1); // NORMAL
        }

        output.WriteTag(2, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(Message(o =>
        {
            o.WriteTag(3, WireFormat.WireType.Varint);
            o.WriteEnum(1); // UNIGRAM
            o.WriteTag(40, WireFormat.WireType.Varint);
            o.WriteInt32(0); // unk_id
            o.WriteTag(41, WireFormat.WireType.Varint);
            o.WriteInt32(1); // bos_id
            o.WriteTag(42, WireFormat.WireType.Varint);
            o.WriteInt32(2); // eos_id
            o.WriteTag(43, WireFormat.WireType.Varint);
            o.WriteInt32(-1); // pad_id: none
        }));

        output.WriteTag(3, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(Message(o =>
        {
            o.WriteTag(1, WireFormat.WireType.LengthDelimited);
            o.WriteString("identity");
            o.WriteTag(3, WireFormat.WireType.Varint);
            o.WriteBool(true); // add_dummy_prefix
            o.WriteTag(4, WireFormat.WireType.Varint);
            o.WriteBool(true); // remove_extra_whitespaces
            o.WriteTag(5, WireFormat.WireType.Varint);
            o.WriteBool(true); // escape_whitespaces
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
}
