using ContextPress.Classifier.Modules;
using ContextPress.Torch.Checkpoints;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace ContextPress.Classifier;

/// <summary>
/// BERT with a per-token linear classifier (HF <c>BertForTokenClassification</c>), fp32, inference only.
/// Parameter names follow the Hugging Face checkpoint: <c>bert.embeddings.word_embeddings.weight</c>,
/// <c>bert.encoder.layer.0.attention.self.query.weight</c>, ..., <c>classifier.weight</c>.
/// </summary>
public sealed class BertForTokenClassification : TokenClassificationModel
{
    [ComponentName(Name = "bert")] private readonly BertModel _bert;
    [ComponentName(Name = "classifier")] private readonly Linear _classifier;

    /// <summary>Initializes a new instance of the <see cref="BertForTokenClassification"/> class with PyTorch's default (random) initialization, in eval mode.</summary>
    /// <param name="config">The configuration (<c>model_type</c> <c>bert</c>).</param>
    /// <exception cref="ArgumentException">The configuration is a RoBERTa one.</exception>
    public BertForTokenClassification(BertConfig config) : base(nameof(BertForTokenClassification), Checked(config))
    {
        _bert = new BertModel(Config);
        _classifier = nn.Linear(Config.HiddenSize, Config.LabelCount, hasBias: true, dtype: ScalarType.Float32);
        RegisterComponents();
        eval();
    }

    /// <inheritdoc />
    private protected override BertModel Encoder => _bert;

    /// <inheritdoc />
    private protected override Linear Classifier => _classifier;

    /// <summary>
    /// Maps checkpoint names to module keys: drops tensors a token-classification BERT does not use
    /// (the <c>position_ids</c> buffer older exports saved, a pre-training pooler), keeps every other name as is.
    /// </summary>
    /// <param name="name">The checkpoint tensor name.</param>
    /// <returns>The module key, or null to skip.</returns>
    public static string? MapCheckpointName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.EndsWith("embeddings.position_ids", StringComparison.Ordinal) || name.StartsWith("bert.pooler.", StringComparison.Ordinal) ? null : name;
    }

    /// <summary>Loads <c>config.json</c> and the safetensors checkpoint of a model directory, strictly.</summary>
    /// <param name="directory">The model directory.</param>
    /// <returns>The model, in eval mode on the CPU.</returns>
    /// <exception cref="CheckpointMismatchException">The checkpoint lacks, adds or mis-shapes a tensor.</exception>
    public static new BertForTokenClassification FromPretrained(string directory)
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
    public static BertForTokenClassification FromCheckpoint(BertConfig config, ICheckpointReader checkpoint) =>
        Load(new BertForTokenClassification(config), checkpoint, MapCheckpointName);

    private static BertConfig Checked(BertConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.Validated().IsRoberta)
        {
            throw new ArgumentException($"model_type '{config.ModelType}' is a RoBERTa model: use {nameof(XLMRobertaForTokenClassification)}.", nameof(config));
        }
        return config;
    }
}
