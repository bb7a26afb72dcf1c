using System.Text;
using System.Text.Json;
using ContextPress.Classifier;
using ContextPress.Torch.Safetensors;
using TorchSharp;
using static TorchSharp.torch;

namespace ContextPress.Classifier.Tests;

/// <summary>A tiny random-weight BERT token classifier and its vocabulary, for tests.</summary>
internal static class TinyBert
{
    public const string ConfigJson = """
        {
          "architectures": ["BertForTokenClassification"],
          "model_type": "bert",
          "vocab_size": VOCAB,
          "hidden_size": 32,
          "num_hidden_layers": 2,
          "num_attention_heads": 4,
          "intermediate_size": 64,
          "hidden_act": "gelu",
          "max_position_embeddings": 512,
          "type_vocab_size": 2,
          "layer_norm_eps": 1e-12,
          "pad_token_id": 0,
          "id2label": { "0": "LABEL_0", "1": "LABEL_1" }
        }
        """;

    /// <summary>Specials, then single characters and their continuations, then a few whole words.</summary>
    public static IReadOnlyList<string> Vocab { get; } = BuildVocab();

    public static BertConfig Config { get; } = BertConfig.Parse(ConfigJson.Replace("VOCAB", Vocab.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));

    public static WordPieceVocabulary Vocabulary { get; } = WordPieceVocabulary.Create(new MemoryStream(Encoding.UTF8.GetBytes(string.Join('\n', Vocab) + "\n")));

    /// <summary>
    /// A model with seeded random weights. Every parameter is overwritten from a private generator (the global
    /// RNG is shared by tests running in parallel), LayerNorm included, so no part of the network is trivial.
    /// </summary>
    public static BertForTokenClassification Create(int seed = 7)
    {
        var model = new BertForTokenClassification(Config);
        Randomize(model, seed);
        return model;
    }

    /// <summary>Overwrites every parameter from a private generator (LayerNorm weights near 1, the rest small).</summary>
    public static void Randomize(TokenClassificationModel model, int seed)
    {
        using var scope = NewDisposeScope();
        using var grad = no_grad();
        using var generator = new Generator((ulong)seed);
        foreach (var (name, p) in model.named_parameters().OrderBy(kv => kv.name, StringComparer.Ordinal))
        {
            var noise = randn(p.shape, generator: generator);
            p.copy_(name.EndsWith("LayerNorm.weight", StringComparison.Ordinal) ? 1 + (0.1 * noise) : 0.2 * noise);
        }
    }

    /// <summary>Writes config.json, model.safetensors and vocab.txt to a fresh directory.</summary>
    public static string SaveToDirectory(BertForTokenClassification model, IReadOnlyDictionary<string, Tensor>? extra = null, string? skip = null)
    {
        var dir = Path.Combine(Path.GetTempPath(), "cp-tinybert-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "config.json"), ConfigJson.Replace("VOCAB", Vocab.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
        File.WriteAllText(Path.Combine(dir, "vocab.txt"), string.Join('\n', Vocab) + "\n");
        var tensors = model.state_dict().Where(kv => kv.Key != skip).ToDictionary(kv => kv.Key, kv => kv.Value);
        foreach (var (k, v) in extra ?? new Dictionary<string, Tensor>())
        {
            tensors[k] = v;
        }
        SafetensorsWriter.Write(Path.Combine(dir, "model.safetensors"), tensors);
        return dir;
    }

    private static List<string> BuildVocab()
    {
        var vocab = new List<string> { "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]" };
        const string chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        vocab.AddRange(chars.Select(c => c.ToString()));
        vocab.AddRange(chars.Select(c => "##" + c));
        vocab.AddRange(".,;:!?$%+-=()'\"/".Select(c => c.ToString()));
        vocab.AddRange(["中", "文", "the", "cat", "sat", "on", "mat", "Paris", "is", "capital", "of", "France", "12", "50", "##ing"]);
        return vocab;
    }
}
