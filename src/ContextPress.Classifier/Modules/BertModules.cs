using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace ContextPress.Classifier.Modules;

/// <summary>
/// Word + absolute position + token-type embeddings, then LayerNorm (HF <c>BertEmbeddings</c> and
/// <c>XLMRobertaEmbeddings</c>; dropout omitted: inference only).
/// </summary>
internal sealed class BertEmbeddings : nn.Module<Tensor, Tensor>
{
    [ComponentName(Name = "word_embeddings")] private readonly Embedding _wordEmbeddings;
    [ComponentName(Name = "position_embeddings")] private readonly Embedding _positionEmbeddings;
    [ComponentName(Name = "token_type_embeddings")] private readonly Embedding _tokenTypeEmbeddings;
    [ComponentName(Name = "LayerNorm")] private readonly LayerNorm _layerNorm;
    private readonly BertConfig _config;

    // Rows for ids past the vocabulary (the reference's [NEWi]); a plain field, not a parameter: checkpoints lack them.
    private Tensor? _addedRows;

    public BertEmbeddings(BertConfig config) : base(nameof(BertEmbeddings))
    {
        _config = config;
        _wordEmbeddings = nn.Embedding(config.VocabSize, config.HiddenSize, dtype: ScalarType.Float32);
        _positionEmbeddings = nn.Embedding(config.MaxPositionEmbeddings, config.HiddenSize, dtype: ScalarType.Float32);
        _tokenTypeEmbeddings = nn.Embedding(config.TypeVocabSize, config.HiddenSize, dtype: ScalarType.Float32);
        _layerNorm = nn.LayerNorm(config.HiddenSize, config.LayerNormEps, dtype: ScalarType.Float32);
        RegisterComponents();
    }

    /// <summary>Gets the number of rows after the vocabulary.</summary>
    public int AddedTokenCount => _addedRows is null ? 0 : (int)_addedRows.shape[0];

    /// <summary>Gets the rows after the vocabulary, or null.</summary>
    public Tensor? AddedRows => _addedRows;

    /// <summary>Gets the word-embedding table [vocab, hidden].</summary>
    public Tensor WordEmbeddingWeight => _wordEmbeddings.weight!;

    /// <summary>Replaces the rows after the vocabulary with <paramref name="rows"/> [n, hidden] (copied, on the table's device).</summary>
    public void SetAddedRows(Tensor rows)
    {
        var copy = rows.detach().to(ScalarType.Float32, WordEmbeddingWeight.device).clone().DetachFromDisposeScope();
        _addedRows?.Dispose();
        _addedRows = copy;
    }

    /// <summary>
    /// Embeds <paramref name="inputIds"/> [batch, seq]; token type 0 (HF's default when none is given). Positions are
    /// 0..seq-1 for BERT; for RoBERTa they are HF's <c>create_position_ids_from_input_ids</c>: real tokens count up from
    /// <c>pad_token_id + 1</c>, padding ids sit at <c>pad_token_id</c>.
    /// </summary>
    public override Tensor forward(Tensor inputIds)
    {
        using var scope = NewDisposeScope();
        long seq = inputIds.shape[1];
        Tensor positions;
        if (_config.IsRoberta)
        {
            var notPad = inputIds.ne(_config.PadTokenId).to_type(ScalarType.Int64);
            positions = (notPad.cumsum(1) * notPad) + _config.PadTokenId;
        }
        else
        {
            positions = arange(seq, dtype: ScalarType.Int64, device: inputIds.device).unsqueeze(0);
        }

        var types = zeros_like(inputIds);
        var words = _addedRows is null ? _wordEmbeddings.forward(inputIds) : EmbedWithAddedRows(inputIds);
        var sum = words + _positionEmbeddings.forward(positions) + _tokenTypeEmbeddings.forward(types);
        return _layerNorm.forward(sum).MoveToOuterDisposeScope();
    }

    private Tensor EmbedWithAddedRows(Tensor inputIds)
    {
        long vocab = _config.VocabSize;
        var added = inputIds.ge(vocab);
        var inVocab = _wordEmbeddings.forward(inputIds.clamp_max(vocab - 1));
        if (!added.any().item<bool>())
        {
            return inVocab;
        }

        MoveAddedRows(inputIds.device);
        var extra = _addedRows!.index_select(0, (inputIds - vocab).clamp(0, _addedRows.shape[0] - 1).flatten()).view(inputIds.shape[0], inputIds.shape[1], -1);
        return where(added.unsqueeze(-1), extra, inVocab);
    }

    private void MoveAddedRows(Device device)
    {
        // Module.to() does not see a plain field: follow the inputs' device on first use there.
        if (_addedRows is not null && _addedRows.device != device)
        {
            var moved = _addedRows.to(device).DetachFromDisposeScope();
            _addedRows.Dispose();
            _addedRows = moved;
        }
    }
}

/// <summary>Multi-head self-attention projections and SDPA (HF <c>BertSelfAttention</c>).</summary>
internal sealed class BertSelfAttention : nn.Module<Tensor, Tensor, Tensor>
{
    [ComponentName(Name = "query")] private readonly Linear _query;
    [ComponentName(Name = "key")] private readonly Linear _key;
    [ComponentName(Name = "value")] private readonly Linear _value;
    private readonly long _heads;
    private readonly long _headDim;

    public BertSelfAttention(BertConfig config) : base(nameof(BertSelfAttention))
    {
        _heads = config.NumAttentionHeads;
        _headDim = config.HeadDim;
        _query = nn.Linear(config.HiddenSize, config.HiddenSize, hasBias: true, dtype: ScalarType.Float32);
        _key = nn.Linear(config.HiddenSize, config.HiddenSize, hasBias: true, dtype: ScalarType.Float32);
        _value = nn.Linear(config.HiddenSize, config.HiddenSize, hasBias: true, dtype: ScalarType.Float32);
        RegisterComponents();
    }

    /// <summary>Attends over <paramref name="hidden"/> [batch, seq, hidden]; <paramref name="attendMask"/> is boolean [batch, 1, 1, seq], true = attend.</summary>
    public override Tensor forward(Tensor hidden, Tensor attendMask)
    {
        using var scope = NewDisposeScope();
        long batch = hidden.shape[0];
        long seq = hidden.shape[1];
        Tensor Heads(Linear projection) => projection.forward(hidden).view(batch, seq, _heads, _headDim).transpose(1, 2);
        var context = nn.functional.scaled_dot_product_attention(Heads(_query), Heads(_key), Heads(_value), attendMask);
        return context.transpose(1, 2).reshape(batch, seq, _heads * _headDim).MoveToOuterDisposeScope();
    }
}

/// <summary>Dense + residual + LayerNorm after a sublayer (HF <c>BertSelfOutput</c> and <c>BertOutput</c> share this shape).</summary>
internal sealed class BertResidualOutput : nn.Module<Tensor, Tensor, Tensor>
{
    [ComponentName(Name = "dense")] private readonly Linear _dense;
    [ComponentName(Name = "LayerNorm")] private readonly LayerNorm _layerNorm;

    public BertResidualOutput(BertConfig config, int inputSize) : base(nameof(BertResidualOutput))
    {
        _dense = nn.Linear(inputSize, config.HiddenSize, hasBias: true, dtype: ScalarType.Float32);
        _layerNorm = nn.LayerNorm(config.HiddenSize, config.LayerNormEps, dtype: ScalarType.Float32);
        RegisterComponents();
    }

    public override Tensor forward(Tensor sublayer, Tensor residual)
    {
        using var scope = NewDisposeScope();
        return _layerNorm.forward(_dense.forward(sublayer) + residual).MoveToOuterDisposeScope();
    }
}

/// <summary>HF <c>BertAttention</c>: <c>self</c> then <c>output</c>.</summary>
internal sealed class BertAttention : nn.Module<Tensor, Tensor, Tensor>
{
    [ComponentName(Name = "self")] private readonly BertSelfAttention _self;
    [ComponentName(Name = "output")] private readonly BertResidualOutput _output;

    public BertAttention(BertConfig config) : base(nameof(BertAttention))
    {
        _self = new BertSelfAttention(config);
        _output = new BertResidualOutput(config, config.HiddenSize);
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden, Tensor attendMask)
    {
        using var scope = NewDisposeScope();
        return _output.forward(_self.forward(hidden, attendMask), hidden).MoveToOuterDisposeScope();
    }
}

/// <summary>HF <c>BertIntermediate</c>: dense to the FFN width and the activation.</summary>
internal sealed class BertIntermediate : nn.Module<Tensor, Tensor>
{
    [ComponentName(Name = "dense")] private readonly Linear _dense;
    private readonly string _activation;

    public BertIntermediate(BertConfig config) : base(nameof(BertIntermediate))
    {
        _activation = config.HiddenAct;
        _dense = nn.Linear(config.HiddenSize, config.IntermediateSize, hasBias: true, dtype: ScalarType.Float32);
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden)
    {
        using var scope = NewDisposeScope();
        var x = _dense.forward(hidden);
        var y = _activation switch
        {
            "gelu" => nn.functional.gelu(x), // erf form, as HF's "gelu"
            "relu" => nn.functional.relu(x),
            _ => 0.5 * x * (1.0 + tanh(Math.Sqrt(2.0 / Math.PI) * (x + 0.044715 * x.pow(3)))), // tanh form
        };
        return y.MoveToOuterDisposeScope();
    }
}

/// <summary>HF <c>BertLayer</c>: attention, intermediate, output.</summary>
internal sealed class BertLayer : nn.Module<Tensor, Tensor, Tensor>
{
    [ComponentName(Name = "attention")] private readonly BertAttention _attention;
    [ComponentName(Name = "intermediate")] private readonly BertIntermediate _intermediate;
    [ComponentName(Name = "output")] private readonly BertResidualOutput _output;

    public BertLayer(BertConfig config) : base(nameof(BertLayer))
    {
        _attention = new BertAttention(config);
        _intermediate = new BertIntermediate(config);
        _output = new BertResidualOutput(config, config.IntermediateSize);
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden, Tensor attendMask)
    {
        using var scope = NewDisposeScope();
        var attended = _attention.forward(hidden, attendMask);
        return _output.forward(_intermediate.forward(attended), attended).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// HF <c>BertModel</c> without the pooler (token classification builds it with <c>add_pooling_layer=False</c>);
/// also HF <c>XLMRobertaModel</c>, whose layers are BERT's and whose embeddings differ only in position numbering.
/// </summary>
internal sealed class BertModel : nn.Module<Tensor, Tensor, Tensor>
{
    [ComponentName(Name = "embeddings")] private readonly BertEmbeddings _embeddings;
    [ComponentName(Name = "encoder")] private readonly BertEncoder _encoder;

    public BertModel(BertConfig config) : base(nameof(BertModel))
    {
        _embeddings = new BertEmbeddings(config);
        _encoder = new BertEncoder(config);
        RegisterComponents();
    }

    /// <summary>Gets the embeddings.</summary>
    public BertEmbeddings Embeddings => _embeddings;

    /// <summary>Hidden states [batch, seq, hidden] for <paramref name="inputIds"/> [batch, seq] and <paramref name="attentionMask"/> [batch, seq] (1 = token, 0 = padding).</summary>
    public override Tensor forward(Tensor inputIds, Tensor attentionMask)
    {
        using var scope = NewDisposeScope();
        var attend = attentionMask.to_type(ScalarType.Bool).view(attentionMask.shape[0], 1, 1, attentionMask.shape[1]);
        var hidden = _embeddings.forward(inputIds);
        return _encoder.forward(hidden, attend).MoveToOuterDisposeScope();
    }
}

/// <summary>HF <c>BertEncoder</c>: <c>layer.{i}</c>.</summary>
internal sealed class BertEncoder : nn.Module<Tensor, Tensor, Tensor>
{
    [ComponentName(Name = "layer")] private readonly ModuleList<BertLayer> _layer;

    public BertEncoder(BertConfig config) : base(nameof(BertEncoder))
    {
        _layer = new ModuleList<BertLayer>(Enumerable.Range(0, config.NumHiddenLayers).Select(_ => new BertLayer(config)).ToArray());
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden, Tensor attendMask)
    {
        using var scope = NewDisposeScope();
        var x = hidden;
        foreach (var layer in _layer)
        {
            x = layer.forward(x, attendMask);
        }
        return x.alias().MoveToOuterDisposeScope();
    }
}
