using System.Text.Json;
using System.Text.Json.Serialization;
using ContextPress.Torch.HuggingFace;

namespace ContextPress.Predictor;

/// <summary>
/// The fields of a Hugging Face <c>config.json</c> that the Llama family (Llama 2/3, Qwen2/2.5, Mistral, SmolLM2) shares.
/// Property names follow the file (snake_case through <see cref="HfConfig.SerializerOptions"/>).
/// </summary>
public sealed record LlamaConfig
{
    /// <summary><c>model_type</c>: <c>llama</c>, <c>qwen2</c>, <c>mistral</c>, ...</summary>
    public string ModelType { get; init; } = "llama";

    /// <summary>Width of the residual stream.</summary>
    public int HiddenSize { get; init; }

    /// <summary>Width of the SwiGLU MLP.</summary>
    public int IntermediateSize { get; init; }

    /// <summary>Number of decoder layers.</summary>
    public int NumHiddenLayers { get; init; }

    /// <summary>Number of query heads.</summary>
    public int NumAttentionHeads { get; init; }

    /// <summary>Number of key/value heads (GQA); defaults to <see cref="NumAttentionHeads"/>.</summary>
    public int? NumKeyValueHeads { get; init; }

    /// <summary>Per-head width; defaults to <see cref="HiddenSize"/> / <see cref="NumAttentionHeads"/>.</summary>
    public int? HeadDim { get; init; }

    /// <summary>Vocabulary size.</summary>
    public int VocabSize { get; init; }

    /// <summary>RMSNorm epsilon.</summary>
    public double RmsNormEps { get; init; } = 1e-6;

    /// <summary>RoPE base.</summary>
    public double RopeTheta { get; init; } = 10000.0;

    /// <summary>RoPE scaling (<c>llama3</c> and <c>linear</c> are supported), or <see langword="null"/>.</summary>
    public RopeScalingConfig? RopeScaling { get; init; }

    /// <summary>Longest context the model was trained for.</summary>
    public int MaxPositionEmbeddings { get; init; } = 2048;

    /// <summary>Whether the output projection shares the input embedding matrix.</summary>
    public bool TieWordEmbeddings { get; init; }

    /// <summary>Llama's flag for biases on q/k/v/o projections.</summary>
    public bool AttentionBias { get; init; }

    /// <summary>Biases on the MLP projections.</summary>
    public bool MlpBias { get; init; }

    /// <summary>Activation of the gate; only <c>silu</c> is supported.</summary>
    public string HiddenAct { get; init; } = "silu";

    /// <summary>Beginning-of-sequence token id.</summary>
    public int? BosTokenId { get; init; }

    /// <summary>End-of-sequence token ids (the file may hold one id or a list).</summary>
    [JsonConverter(typeof(IntOrArrayConverter))]
    public IReadOnlyList<int> EosTokenId { get; init; } = [];

    /// <summary>Sliding-window size when <see cref="UseSlidingWindow"/> is set (Mistral, Qwen2).</summary>
    public int? SlidingWindow { get; init; }

    /// <summary>Qwen2's switch for the sliding window (Mistral uses the window whenever it is set).</summary>
    public bool? UseSlidingWindow { get; init; }

    /// <summary>Key/value head count after defaults.</summary>
    [JsonIgnore]
    public int KeyValueHeads => NumKeyValueHeads ?? NumAttentionHeads;

    /// <summary>Per-head width after defaults.</summary>
    [JsonIgnore]
    public int HeadDimension => HeadDim ?? HiddenSize / NumAttentionHeads;

    /// <summary>Whether q/k/v carry a bias (Qwen2 always, Llama when <see cref="AttentionBias"/>).</summary>
    [JsonIgnore]
    public bool QkvBias => AttentionBias || ModelType == "qwen2";

    /// <summary>Whether o_proj carries a bias (Llama's <see cref="AttentionBias"/>; never for Qwen2).</summary>
    [JsonIgnore]
    public bool OutputBias => AttentionBias && ModelType != "qwen2";

    /// <summary>Reads <c>config.json</c> from a model directory and validates it.</summary>
    /// <exception cref="InvalidDataException">Malformed or unsupported config.</exception>
    public static LlamaConfig Load(string directoryOrFile) => HfConfig.Load<LlamaConfig>(directoryOrFile).Validate();

    /// <summary>Checks the sizes and supported options; returns this config.</summary>
    /// <exception cref="InvalidDataException">A size is not positive or inconsistent, or an option is not supported.</exception>
    public LlamaConfig Validate()
    {
        if (HiddenSize <= 0 || IntermediateSize <= 0 || NumHiddenLayers <= 0 || NumAttentionHeads <= 0 || VocabSize <= 0 || KeyValueHeads <= 0)
        {
            throw new InvalidDataException("config.json needs positive hidden_size, intermediate_size, num_hidden_layers, num_attention_heads, num_key_value_heads and vocab_size.");
        }
        if (NumAttentionHeads % KeyValueHeads != 0)
        {
            throw new InvalidDataException($"num_attention_heads {NumAttentionHeads} is not a multiple of num_key_value_heads {KeyValueHeads}.");
        }
        if (HeadDimension % 2 != 0)
        {
            throw new InvalidDataException($"head_dim {HeadDimension} must be even for RoPE.");
        }
        if (HiddenAct is not ("silu" or "swish"))
        {
            throw new InvalidDataException($"hidden_act {HiddenAct} is not supported (silu).");
        }
        RopeScaling?.Validate();
        return this;
    }

    private sealed class IntOrArrayConverter : JsonConverter<IReadOnlyList<int>>
    {
        public override IReadOnlyList<int> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
        {
            JsonTokenType.Null => [],
            JsonTokenType.Number => [reader.GetInt32()],
            JsonTokenType.StartArray => JsonSerializer.Deserialize<int[]>(ref reader, options) ?? [],
            _ => throw new JsonException("eos_token_id must be a number or a list of numbers."),
        };

        public override void Write(Utf8JsonWriter writer, IReadOnlyList<int> value, JsonSerializerOptions options) =>
            JsonSerializer.Serialize(writer, value.ToArray(), options);
    }
}

/// <summary>The <c>rope_scaling</c> object of a config.</summary>
public sealed record RopeScalingConfig
{
    /// <summary><c>rope_type</c> (newer files) or <c>type</c> (older ones).</summary>
    public string? RopeType { get; init; }

    /// <summary>Older spelling of <see cref="RopeType"/>.</summary>
    public string? Type { get; init; }

    /// <summary>Scaling factor.</summary>
    public double Factor { get; init; } = 1.0;

    /// <summary>llama3: wavelengths above <c>original / low_freq_factor</c> are divided by the factor.</summary>
    public double LowFreqFactor { get; init; } = 1.0;

    /// <summary>llama3: wavelengths below <c>original / high_freq_factor</c> are kept.</summary>
    public double HighFreqFactor { get; init; } = 4.0;

    /// <summary>llama3: the context length the base model was trained for.</summary>
    public int OriginalMaxPositionEmbeddings { get; init; } = 8192;

    /// <summary>The effective kind: <c>default</c>, <c>linear</c> or <c>llama3</c>.</summary>
    [JsonIgnore]
    public string Kind => RopeType ?? Type ?? "default";

    internal void Validate()
    {
        if (Kind is not ("default" or "linear" or "llama3"))
        {
            throw new InvalidDataException($"rope_scaling type {Kind} is not supported (default, linear, llama3).");
        }
    }
}
