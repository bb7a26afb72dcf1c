using ContextPress.Classifier.Modules;
using ContextPress.Torch.Checkpoints;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace ContextPress.Classifier;

/// <summary>
/// XLM-RoBERTa with a per-token linear classifier (HF <c>XLMRobertaForTokenClassification</c>, e.g.
/// <c>microsoft/llmlingua-2-xlm-roberta-large-meetingbank</c>), fp32, inference only.
/// </summary>
/// <remarks>
/// The layers are BERT's (post-LN, erf-GELU, the same parameter layout) and are shared with
/// <see cref="BertForTokenClassification"/>; the differences are the <c>roberta.</c> prefix and the position ids, which
/// count real tokens up from <c>pad_token_id + 1</c> (HF <c>create_position_ids_from_input_ids</c>), so XLM-R's 514
/// position rows hold 512 tokens. <c>type_vocab_size</c> is 1.
/// </remarks>
public sealed class XLMRobertaForTokenClassification : TokenClassificationModel
{
    [ComponentName(Name = "roberta")] private readonly BertModel _roberta;
    [ComponentName(Name = "classifier")] private readonly Linear _classifier;

    /// <summary>Initializes a new instance of the <see cref="XLMRobertaForTokenClassification"/> class with PyTorch's default (random) initialization, in eval mode.</summary>
    /// <param name="config">The configuration (<c>model_type</c> <c>xlm-roberta</c> or <c>roberta</c>).</param>
    /// <exception cref="ArgumentException">The configuration is not a RoBERTa one.</exception>
    public XLMRobertaForTokenClassification(BertConfig config) : base(nameof(XLMRobertaForTokenClassification), Checked(config))
    {
        _roberta = new BertModel(Config);
        _classifier = nn.Linear(Config.HiddenSize, Config.LabelCount, hasBias: true, dtype: ScalarType.Float32);
        RegisterComponents();
        eval();
    }

    /// <inheritdoc />
    private protected override BertModel Encoder => _roberta;

    /// <inheritdoc />
    private protected override Linear Classifier => _classifier;

    /// <summary>
    /// Maps checkpoint names to module keys: drops the <c>position_ids</c>/<c>token_type_ids</c> buffers some exports
    /// save and a pre-training pooler, keeps every other name as is.
    /// </summary>
    /// <param name="name">The checkpoint tensor name.</param>
    /// <returns>The module key, or null to skip.</returns>
    public static string? MapCheckpointName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.EndsWith("embeddings.position_ids", StringComparison.Ordinal)
            || name.EndsWith("embeddings.token_type_ids", StringComparison.Ordinal)
            || name.StartsWith("roberta.pooler.", StringComparison.Ordinal) ? null : name;
    }

    /// <summary>Loads <c>config.json</c> and the safetensors checkpoint of a model directory, strictly.</summary>
    /// <param name="directory">The model directory.</param>
    /// <returns>The model, in eval mode on the CPU.</returns>
    /// <exception cref="CheckpointMismatchException">The checkpoint lacks, adds or mis-shapes a tensor.</exception>
    public static new XLMRobertaForTokenClassification FromPretrained(string directory)
    {
        var config = BertConfig.Load(directory);
        using var checkpoint = SafetensorsCheckpoint.Open(directory);
        return FromCheckpoint(config, checkpoint);
    }

    /// <summary>Builds the model for <paramref name="config"/> and loads <paramref name="checkpoint"/> into it, strictly.</summary>
    /// <param name="config">The configuration.</param>
    /// <param name="checkpoint">The weights (the caller keeps ownership).</param>
    /// <returns>The model, in eval mode on the CPU.</returns>
    /// <exception cref="CheckpointMismatchException">The checkpoint lacks, adds or mis-shapes a tensor.</exception>
    public static XLMRobertaForTokenClassification FromCheckpoint(BertConfig config, ICheckpointReader checkpoint) =>
        Load(new XLMRobertaForTokenClassification(config), checkpoint, MapCheckpointName);

    private static BertConfig Checked(BertConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (!config.Validated().IsRoberta)
        {
            throw new ArgumentException($"model_type '{config.ModelType}' is not a RoBERTa model: use {nameof(BertForTokenClassification)}.", nameof(config));
        }
        return config;
    }
}
