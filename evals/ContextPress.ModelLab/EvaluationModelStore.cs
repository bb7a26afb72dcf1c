using System.Text.Json;
using System.Text.Json.Nodes;
using ContextPress.Predictor;
using ContextPress.Predictor.Tokenization;
using ContextPress.Torch.Checkpoints;
using ContextPress.Torch.HuggingFace;
using ContextPress.Torch.Safetensors;

namespace ContextPress.ModelLab;

/// <summary>Writes a trained model as a Hugging Face Qwen2 directory that <see cref="CausalLM.FromPretrained"/> and the byte-level tokenizer read.</summary>
public static class EvaluationModelStore
{
    /// <summary>The held-out split beside the weights.</summary>
    public const string HeldOutFileName = "heldout.txt";

    /// <summary>Saves config.json, model.safetensors (fp32) and the byte-tokenizer marker into <paramref name="directory"/>.</summary>
    public static void Save(CausalLM model, string directory, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory.CreateDirectory(directory);
        var c = model.Config;
        var config = new JsonObject
        {
            ["architectures"] = new JsonArray("Qwen2ForCausalLM"),
            ["model_type"] = c.ModelType,
            ["hidden_size"] = c.HiddenSize,
            ["intermediate_size"] = c.IntermediateSize,
            ["num_hidden_layers"] = c.NumHiddenLayers,
            ["num_attention_heads"] = c.NumAttentionHeads,
            ["num_key_value_heads"] = c.KeyValueHeads,
            ["head_dim"] = c.HeadDimension,
            ["vocab_size"] = c.VocabSize,
            ["rms_norm_eps"] = c.RmsNormEps,
            ["rope_theta"] = c.RopeTheta,
            ["max_position_embeddings"] = c.MaxPositionEmbeddings,
            ["tie_word_embeddings"] = c.TieWordEmbeddings,
            ["hidden_act"] = c.HiddenAct,
            ["bos_token_id"] = c.BosTokenId,
            ["eos_token_id"] = c.EosTokenId.Count == 1 ? c.EosTokenId[0] : new JsonArray(c.EosTokenId.Select(i => (JsonNode?)i).ToArray()),
            ["use_sliding_window"] = false,
            ["torch_dtype"] = "float32",
        };
        File.WriteAllText(Path.Combine(directory, HfConfig.FileName), config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        var marker = new JsonObject
        {
            ["description"] = "Byte-level vocabulary: ids 0-255 are UTF-8 bytes; 256 is BOS, 257 is EOS (ends a document).",
            ["bos_token_id"] = ByteCorpus.BosTokenId,
            ["eos_token_id"] = ByteCorpus.EosTokenId,
        };
        File.WriteAllText(Path.Combine(directory, ByteLevelPromptTokenizer.MarkerFileName), marker.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        var state = model.state_dict().OrderBy(kv => kv.Key, StringComparer.Ordinal).ToArray();
        SafetensorsWriter.Write(Path.Combine(directory, SafetensorsCheckpoint.SingleFileName), state, metadata);
    }

    /// <summary>Bytes of the directory's safetensors files (the weight memory a method's checkpoint takes).</summary>
    public static long WeightBytes(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        return Directory.EnumerateFiles(directory, "*.safetensors").Sum(f => new FileInfo(f).Length);
    }
}
