using ContextPress.Predictor.Caching;
using ContextPress.Predictor.Compression;
using ContextPress.Predictor.Llama2c;
using ContextPress.Predictor.Modules;
using ContextPress.Torch.Checkpoints;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ContextPress.Predictor;

/// <summary>
/// A Llama-family causal language model (Llama 2/3, Qwen2/2.5, Mistral, SmolLM2): HF <c>model.*</c> decoder plus
/// <c>lm_head</c>, config-driven, always in eval mode. Forward passes run under <c>no_grad</c> in their own dispose scope.
/// </summary>
public sealed class CausalLM : nn.Module
{
    [ComponentName(Name = "model")] private readonly LlamaModel _model;
    [ComponentName(Name = "lm_head")] private readonly Linear? _lmHead;
    private bool _projectionsFused;

    /// <summary>Builds a model with uninitialized weights (load a checkpoint next).</summary>
    public CausalLM(LlamaConfig config, ScalarType dtype = ScalarType.Float32) : base(nameof(CausalLM))
    {
        ArgumentNullException.ThrowIfNull(config);
        Config = config.Validate();
        DType = dtype;
        _model = new LlamaModel(config, dtype);
        if (!config.TieWordEmbeddings)
        {
            _lmHead = nn.Linear(config.HiddenSize, config.VocabSize, hasBias: false, dtype: dtype);
        }
        RegisterComponents();
        eval();
    }

    /// <summary>The model's configuration.</summary>
    public LlamaConfig Config { get; }

    /// <summary>Parameter dtype.</summary>
    public ScalarType DType { get; }

    /// <summary>Device of the parameters (as placed by the factory methods; tracked here because reading a parameter's device allocates a tensor wrapper).</summary>
    public Device Device { get; private set; } = CPU;

    /// <summary>
    /// Loads a Hugging Face checkpoint directory (<c>config.json</c> and safetensors, single or sharded). Weights are
    /// converted to <paramref name="dtype"/> and moved to <paramref name="device"/> (CPU by default). A compressed
    /// checkpoint (<see cref="CompressedCheckpoint"/>) loads as it is: its projections stay quantized, factored or pruned.
    /// </summary>
    /// <exception cref="CheckpointMismatchException">The checkpoint's tensors do not fit the config; the message names them.</exception>
    public static CausalLM FromPretrained(string directory, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        var config = LlamaConfig.Load(directory);
        using var checkpoint = SafetensorsCheckpoint.Open(directory);
        return FromCheckpoint(config, checkpoint, dtype, device);
    }

    /// <summary>Loads a llama2.c checkpoint (legacy format: 7 int32 header, fp32 weights), converting its interleaved RoPE layout to HF's.</summary>
    public static CausalLM FromLlama2c(string path, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        var (config, checkpoint) = Llama2cCheckpoint.Read(path);
        using (checkpoint)
        {
            return FromCheckpoint(config, checkpoint, dtype, device);
        }
    }

    /// <summary>Builds a model for <paramref name="config"/> and loads <paramref name="checkpoint"/> (HF names) into it.</summary>
    /// <exception cref="CheckpointMismatchException">The checkpoint's tensors do not fit the config; the message names them.</exception>
    public static CausalLM FromCheckpoint(LlamaConfig config, ICheckpointReader checkpoint, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        var model = new CausalLM(config, dtype);
        try
        {
            // A compressed checkpoint says which projections it stores compressed: build those modules first, so that
            // the strict load below finds a place (and the right shape) for every stored tensor.
            if (checkpoint is SafetensorsCheckpoint safetensors && CompressedCheckpoint.TryReadLayouts(safetensors.Metadata, out _, out var layouts))
            {
                CompressedCheckpoint.ApplyLayouts(model, layouts);
            }
            CheckpointLoader.Load(model, checkpoint, new CheckpointLoadOptions
            {
                // Some exporters save the rotary inv_freq buffer; it is derived state here. A tied head may be saved too.
                MapName = name => name.EndsWith(".rotary_emb.inv_freq", StringComparison.Ordinal)
                    || (config.TieWordEmbeddings && name == "lm_head.weight") ? null : name,
            });
            if (device is not null && device.type != DeviceType.CPU)
            {
                model.to(device);
                model.Device = device;
            }
            model.FuseProjections();
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Packs each layer's q/k/v and gate/up weights into single matrices, so a decode step runs two matmuls fewer per
    /// layer. The HF-named parameters become views of the packed matrices (same state dict, no extra memory). The factory
    /// methods call this after placing the model; call it yourself after moving a model built with the constructor.
    /// Moving the model to another device afterwards is not supported. Idempotent.
    /// </summary>
    public void FuseProjections()
    {
        _model.FuseProjections();
        _projectionsFused = true;
    }

    /// <summary>
    /// Logits [B, T, vocab] for training: the same modules as <see cref="Forward"/>, but with autograd recording (no
    /// <c>no_grad</c>, no cache, no fused projections, whose packed weights are not parameters). The result belongs to the
    /// caller's dispose scope. Only for a model built with the constructor; <paramref name="inputIds"/> must be on the
    /// parameters' device (a trainer may move the model itself).
    /// </summary>
    /// <exception cref="InvalidOperationException">The projections were fused (the model came from a factory method).</exception>
    internal Tensor ForwardForTraining(Tensor inputIds)
    {
        ArgumentNullException.ThrowIfNull(inputIds);
        if (_projectionsFused)
        {
            throw new InvalidOperationException("A model with fused projections cannot be trained; build it with the constructor.");
        }
        using var scope = NewDisposeScope();
        var h = _model.Forward(inputIds.to_type(ScalarType.Int64), cache: null);
        var logits = _lmHead is null ? nn.functional.linear(h, _model.EmbeddingWeight) : _lmHead.forward(h);
        return logits.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Runs the model over <paramref name="inputIds"/> ([B, T], int64) at positions starting at the cache's length, appending
    /// to <paramref name="cache"/>. Returns fp32 logits [B, T, vocab], or [B, 1, vocab] for the last position only.
    /// The result belongs to the caller's dispose scope. For a batch of prompts of different lengths, left-pad them and pass
    /// <paramref name="leftPadding"/> (padding slots per row, the same on every call for that cache): positions and
    /// attention then skip the padding.
    /// </summary>
    public Tensor Forward(Tensor inputIds, IKvCache? cache = null, bool lastPositionOnly = false, IReadOnlyList<long>? leftPadding = null)
    {
        ArgumentNullException.ThrowIfNull(inputIds);
        using var grad = no_grad();
        using var scope = NewDisposeScope();
        var h = _model.Forward(inputIds.to(ScalarType.Int64, Device), cache, leftPadding);
        if (lastPositionOnly)
        {
            h = h.narrow(1, h.shape[1] - 1, 1);
        }
        var logits = _lmHead is null ? nn.functional.linear(h, _model.EmbeddingWeight) : _lmHead.forward(h);
        return logits.to_type(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    /// <summary>Logits for one sequence of token ids, [T, vocab], as a fresh array per position (no cache).</summary>
    public float[][] ComputeLogits(IReadOnlyList<int> tokenIds)
    {
        ArgumentNullException.ThrowIfNull(tokenIds);
        using var scope = NewDisposeScope();
        var logits = Forward(ToInput(tokenIds))[0];
        return Enumerable.Range(0, tokenIds.Count).Select(i => logits[i].data<float>().ToArray()).ToArray();
    }

    /// <summary>log p(token[i] | tokens[..i]) for i = 1..T-1 (T-1 values), computed in one forward pass.</summary>
    public float[] ComputeTokenLogProbabilities(IReadOnlyList<int> tokenIds)
    {
        ArgumentNullException.ThrowIfNull(tokenIds);
        if (tokenIds.Count < 2)
        {
            return [];
        }
        using var scope = NewDisposeScope();
        var input = ToInput(tokenIds);
        var logProbs = Forward(input)[0].narrow(0, 0, tokenIds.Count - 1).log_softmax(-1);
        var targets = input[0].narrow(0, 1, tokenIds.Count - 1).unsqueeze(1);
        return logProbs.gather(1, targets).squeeze(1).data<float>().ToArray();
    }

    /// <summary>Converts token ids to a [1, T] int64 tensor (in the current dispose scope).</summary>
    public static Tensor ToInput(IReadOnlyList<int> tokenIds)
    {
        ArgumentNullException.ThrowIfNull(tokenIds);
        return tensor(tokenIds.Select(i => (long)i).ToArray(), [1, tokenIds.Count], ScalarType.Int64);
    }

    /// <summary>A deferred [1, T] int64 input on <paramref name="device"/>, created in the caller's dispose scope when invoked.</summary>
    internal static Func<Tensor> ToInputOnDevice(IReadOnlyList<int> tokenIds, Device device) => () => ToInput(tokenIds).to(device);

    /// <summary>Parameter count.</summary>
    public long ParameterCount => parameters().Sum(p => p.NumberOfElements);

    /// <summary>
    /// The compression of each block projection that is not a dense Linear, keyed by HF name (empty for a dense model).
    /// Pruned projections kept as plain Linears are not listed (their weights are dense with zeros).
    /// </summary>
    public IReadOnlyDictionary<string, CompressedLinearLayout> CompressedLayers =>
        BlockLinearNames.All(Config.NumHiddenLayers)
            .Select(name => (name, module: GetBlockLinear(name)))
            .Where(p => p.module is CompressedLinear)
            .ToDictionary(p => p.name, p => ((CompressedLinear)p.module).Layout, StringComparer.Ordinal);

    /// <summary>Sees the inputs of every block projection during forward passes (calibration); null turns it off.</summary>
    internal ILinearInputObserver? LinearInputObserver
    {
        get => _model.Layers.Count > 0 ? _model.Layers[0].Mlp.InputObserver : null;
        set
        {
            foreach (var layer in _model.Layers)
            {
                layer.SelfAttention.InputObserver = value;
                layer.Mlp.InputObserver = value;
            }
        }
    }

    /// <summary>The module of the block projection <paramref name="name"/> (a Linear, or a <see cref="CompressedLinear"/>).</summary>
    /// <exception cref="ArgumentException">Not the name of a block projection of this model.</exception>
    internal nn.Module<Tensor, Tensor> GetBlockLinear(string name)
    {
        var (layer, attention, projection) = ParseBlockLinear(name);
        return attention ? _model.Layers[layer].SelfAttention.GetProjection(projection) : _model.Layers[layer].Mlp.GetProjection(projection);
    }

    /// <summary>
    /// Swaps the block projection <paramref name="name"/> for <paramref name="replacement"/> (which the model then owns),
    /// disposing the old module and undoing the fusion of its group. Call <see cref="FuseProjections"/> afterwards to fuse
    /// the groups whose projections are all still dense.
    /// </summary>
    internal void ReplaceBlockLinear(string name, nn.Module<Tensor, Tensor> replacement)
    {
        ArgumentNullException.ThrowIfNull(replacement);
        var (layer, attention, projection) = ParseBlockLinear(name);
        if (attention)
        {
            _model.Layers[layer].SelfAttention.ReplaceProjection(projection, replacement);
        }
        else
        {
            _model.Layers[layer].Mlp.ReplaceProjection(projection, replacement);
        }
    }

    private (int Layer, bool Attention, string Projection) ParseBlockLinear(string name)
    {
        var parsed = BlockLinearNames.Parse(name);
        return parsed.Layer < Config.NumHiddenLayers
            ? parsed
            : throw new ArgumentException($"'{name}' names layer {parsed.Layer}, but the model has {Config.NumHiddenLayers} layers.", nameof(name));
    }
}
