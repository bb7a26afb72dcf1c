using ContextPress.Classifier.Modules;
using ContextPress.Torch.Checkpoints;
using ContextPress.Torch.HuggingFace;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ContextPress.Classifier;

/// <summary>
/// A BERT-family encoder with a per-token linear classifier, fp32, inference only: the common shape of
/// <see cref="BertForTokenClassification"/> and <see cref="XLMRobertaForTokenClassification"/>.
/// </summary>
public abstract class TokenClassificationModel : nn.Module<Tensor, Tensor, Tensor>
{
    /// <summary>Initializes a new instance of the <see cref="TokenClassificationModel"/> class.</summary>
    /// <param name="name">The module name.</param>
    /// <param name="config">The validated configuration.</param>
    private protected TokenClassificationModel(string name, BertConfig config) : base(name)
    {
        Config = config;
    }

    /// <summary>Gets the configuration.</summary>
    public BertConfig Config { get; }

    /// <summary>Gets the number of token rows after the vocabulary (ids <c>vocab_size</c> and up); see <see cref="AddTokens(int)"/>.</summary>
    public int AddedTokenCount => Encoder.Embeddings.AddedTokenCount;

    /// <summary>Gets the encoder.</summary>
    private protected abstract BertModel Encoder { get; }

    /// <summary>Gets the classifier head.</summary>
    private protected abstract Linear Classifier { get; }

    /// <summary>
    /// Loads a model directory, choosing the class from <c>config.json</c>'s <c>model_type</c>: <c>bert</c> gives
    /// <see cref="BertForTokenClassification"/>, <c>xlm-roberta</c> or <c>roberta</c> <see cref="XLMRobertaForTokenClassification"/>.
    /// </summary>
    /// <param name="directory">The model directory (<c>config.json</c> and safetensors weights).</param>
    /// <returns>The model, in eval mode on the CPU.</returns>
    /// <exception cref="InvalidDataException">The config is invalid or names an unsupported model type.</exception>
    /// <exception cref="CheckpointMismatchException">The checkpoint lacks, adds or mis-shapes a tensor.</exception>
    public static TokenClassificationModel FromPretrained(string directory)
    {
        var config = BertConfig.Load(directory);
        return config.IsRoberta ? XLMRobertaForTokenClassification.FromPretrained(directory) : BertForTokenClassification.FromPretrained(directory);
    }

    /// <summary>
    /// Makes ids <c>vocab_size</c> .. <c>vocab_size + count - 1</c> valid, each row the mean of the word-embedding rows:
    /// what transformers' <c>resize_token_embeddings</c> gives the reference's <c>[NEWi]</c> tokens since 4.46
    /// (mean-resizing; its added noise has a standard deviation of about 3e-5 of the rows' own). Rows already added are kept.
    /// </summary>
    /// <param name="count">The number of rows after the vocabulary wanted (the reference adds 100).</param>
    public void AddTokens(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count <= AddedTokenCount)
        {
            return;
        }

        using var scope = NewDisposeScope();
        using var grad = no_grad();
        var table = Encoder.Embeddings.WordEmbeddingWeight;
        var mean = table.mean([0L]).unsqueeze(0).expand(count, table.shape[1]);
        if (AddedTokenCount > 0)
        {
            mean = cat([AddedTokenEmbeddings()!, mean[TensorIndex.Slice(AddedTokenCount, null)]], 0);
        }
        Encoder.Embeddings.SetAddedRows(mean);
    }

    /// <summary>
    /// Sets the rows after the vocabulary exactly, e.g. the resized rows a pinned Python run exported with its fixtures.
    /// </summary>
    /// <param name="rows">[count, hidden_size] rows for ids <c>vocab_size</c> and up.</param>
    /// <exception cref="ArgumentException">The rows are not [count, hidden_size].</exception>
    public void SetAddedTokenEmbeddings(Tensor rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.ndim != 2 || rows.shape[1] != Config.HiddenSize)
        {
            throw new ArgumentException($"Added token rows must be [count, {Config.HiddenSize}], not [{string.Join(", ", rows.shape)}].", nameof(rows));
        }
        using var grad = no_grad();
        Encoder.Embeddings.SetAddedRows(rows);
    }

    /// <summary>Gets a copy of the rows after the vocabulary, or null when none were added.</summary>
    /// <returns>[count, hidden_size], or null.</returns>
    public Tensor? AddedTokenEmbeddings()
    {
        if (AddedTokenCount == 0)
        {
            return null;
        }
        using var grad = no_grad();
        return Encoder.Embeddings.AddedRows!.clone();
    }

    /// <summary>Per-token logits [batch, seq, num_labels].</summary>
    /// <param name="inputIds">Token ids [batch, seq], int64.</param>
    /// <param name="attentionMask">[batch, seq]: 1 for tokens, 0 for padding.</param>
    /// <returns>The logits; rows at padding positions are meaningless.</returns>
    public override Tensor forward(Tensor inputIds, Tensor attentionMask)
    {
        ArgumentNullException.ThrowIfNull(inputIds);
        ArgumentNullException.ThrowIfNull(attentionMask);
        using var scope = NewDisposeScope();
        using var grad = no_grad();
        var hidden = Encoder.forward(inputIds, attentionMask);
        return Classifier.forward(hidden).MoveToOuterDisposeScope();
    }

    /// <summary>Builds a model and loads a checkpoint into it strictly, disposing the model if loading fails.</summary>
    private protected static T Load<T>(T model, ICheckpointReader checkpoint, Func<string, string?> mapName)
        where T : TokenClassificationModel
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        try
        {
            CheckpointLoader.Load(model, checkpoint, new CheckpointLoadOptions { MapName = mapName });
        }
        catch
        {
            model.Dispose();
            throw;
        }
        model.eval();
        return model;
    }
}
