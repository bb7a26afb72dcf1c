using System.Text.Json.Serialization;
using ContextPress.Torch.HuggingFace;

namespace ContextPress.Classifier;

/// <summary>
/// The fields of a Hugging Face BERT-family <c>config.json</c> (<c>BertForTokenClassification</c>,
/// <c>XLMRobertaForTokenClassification</c>) that the encoder needs; the two share every size and differ only in
/// <see cref="ModelType"/> (RoBERTa's position numbering). Property names follow the file (snake_case through
/// <see cref="HfConfig.SerializerOptions"/>).
/// </summary>
public sealed record BertConfig
{
    /// <summary><c>model_type</c>: <c>bert</c>, <c>xlm-roberta</c> or <c>roberta</c>.</summary>
    public string ModelType { get; init; } = "bert";

    /// <summary>Vocabulary size (rows of the word embedding).</summary>
    public int VocabSize { get; init; }

    /// <summary>Width of the residual stream.</summary>
    public int HiddenSize { get; init; } = 768;

    /// <summary>Number of encoder layers.</summary>
    public int NumHiddenLayers { get; init; } = 12;

    /// <summary>Number of attention heads.</summary>
    public int NumAttentionHeads { get; init; } = 12;

    /// <summary>Width of the feed-forward layer.</summary>
    public int IntermediateSize { get; init; } = 3072;

    /// <summary>Feed-forward activation: <c>gelu</c> (erf form) or <c>gelu_new</c>/<c>gelu_pytorch_tanh</c> (tanh form).</summary>
    public string HiddenAct { get; init; } = "gelu";

    /// <summary>Rows of the absolute position embedding.</summary>
    public int MaxPositionEmbeddings { get; init; } = 512;

    /// <summary>Rows of the token-type embedding.</summary>
    public int TypeVocabSize { get; init; } = 2;

    /// <summary>LayerNorm epsilon.</summary>
    public double LayerNormEps { get; init; } = 1e-12;

    /// <summary>Padding token id.</summary>
    public int PadTokenId { get; init; }

    /// <summary>Position embedding kind; only <c>absolute</c> is supported.</summary>
    public string PositionEmbeddingType { get; init; } = "absolute";

    /// <summary><c>architectures</c>, e.g. <c>BertForTokenClassification</c>.</summary>
    public IReadOnlyList<string> Architectures { get; init; } = [];

    /// <summary><c>id2label</c>: label names by class index (as strings in the file).</summary>
    [JsonPropertyName("id2label")]
    public IReadOnlyDictionary<string, string>? Id2Label { get; init; }

    /// <summary><c>num_labels</c> when given explicitly (transformers derives it from <see cref="Id2Label"/>).</summary>
    public int? NumLabels { get; init; }

    /// <summary>Gets the number of classifier outputs: <see cref="NumLabels"/>, else the size of <see cref="Id2Label"/>, else 2.</summary>
    [JsonIgnore]
    public int LabelCount => NumLabels ?? (Id2Label is { Count: > 0 } labels ? labels.Count : 2);

    /// <summary>Gets a value indicating whether the model numbers positions the RoBERTa way (<c>xlm-roberta</c>, <c>roberta</c>).</summary>
    [JsonIgnore]
    public bool IsRoberta => ModelType is "xlm-roberta" or "roberta";

    /// <summary>
    /// Gets the first position id of a sequence: 0 for BERT; <c>pad_token_id + 1</c> for RoBERTa, whose
    /// <c>create_position_ids_from_input_ids</c> numbers real tokens from there (so XLM-R's 514 rows hold 512 tokens).
    /// </summary>
    [JsonIgnore]
    public int FirstPosition => IsRoberta ? PadTokenId + 1 : 0;

    /// <summary>Gets the longest sequence, special tokens included, that the position table can number.</summary>
    [JsonIgnore]
    public int MaxSequenceLength => MaxPositionEmbeddings - FirstPosition;

    /// <summary>Gets the width of one attention head.</summary>
    [JsonIgnore]
    public int HeadDim => HiddenSize / NumAttentionHeads;

    /// <summary>Reads <c>config.json</c> from a model directory or file and validates it.</summary>
    /// <param name="directoryOrFile">A model directory or the config file.</param>
    /// <returns>The configuration.</returns>
    public static BertConfig Load(string directoryOrFile) => HfConfig.Load<BertConfig>(directoryOrFile).Validated();

    /// <summary>Parses config JSON and validates it.</summary>
    /// <param name="json">The JSON text.</param>
    /// <returns>The configuration.</returns>
    public static BertConfig Parse(string json) => HfConfig.Parse<BertConfig>(json).Validated();

    /// <summary>Checks the sizes fit together.</summary>
    /// <returns>This configuration.</returns>
    /// <exception cref="InvalidDataException">A size is not positive, heads do not divide the width, or a feature is unsupported.</exception>
    public BertConfig Validated()
    {
        if (VocabSize <= 0 || HiddenSize <= 0 || NumHiddenLayers <= 0 || NumAttentionHeads <= 0 || IntermediateSize <= 0 || MaxPositionEmbeddings <= 0 || TypeVocabSize <= 0 || LabelCount <= 0)
        {
            throw new InvalidDataException("Config sizes (vocab_size, hidden_size, layers, heads, intermediate_size, max_position_embeddings, type_vocab_size, labels) must be positive.");
        }

        if (HiddenSize % NumAttentionHeads != 0)
        {
            throw new InvalidDataException($"hidden_size {HiddenSize} is not a multiple of num_attention_heads {NumAttentionHeads}.");
        }

        if (ModelType is not ("bert" or "xlm-roberta" or "roberta"))
        {
            throw new InvalidDataException($"model_type '{ModelType}' is not supported (bert, xlm-roberta, roberta).");
        }

        if (MaxSequenceLength < 3 || PadTokenId < 0 || PadTokenId >= VocabSize)
        {
            throw new InvalidDataException($"max_position_embeddings {MaxPositionEmbeddings} and pad_token_id {PadTokenId} leave no room for a sequence.");
        }

        if (PositionEmbeddingType != "absolute")
        {
            throw new InvalidDataException($"position_embedding_type '{PositionEmbeddingType}' is not supported (only 'absolute').");
        }

        if (HiddenAct is not ("gelu" or "gelu_new" or "gelu_pytorch_tanh" or "relu"))
        {
            throw new InvalidDataException($"hidden_act '{HiddenAct}' is not supported.");
        }

        return this;
    }
}
