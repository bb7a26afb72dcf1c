using System.Diagnostics;
using ContextPress.Predictor;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ContextPress.ModelLab;

/// <summary>One held-out evaluation during training.</summary>
/// <param name="Step">Optimizer steps taken.</param>
/// <param name="TrainLoss">Mean training loss (nats per token) since the previous evaluation.</param>
/// <param name="HeldOutPerplexity">Held-out perplexity per token.</param>
/// <param name="ElapsedSeconds">Wall-clock seconds since training started.</param>
public sealed record TrainingEvaluation(int Step, double TrainLoss, double HeldOutPerplexity, double ElapsedSeconds);

/// <summary>What <see cref="ModelTrainer.Train"/> produced.</summary>
/// <param name="Model">The model holding the best checkpoint's weights (owned by the caller).</param>
/// <param name="Curve">Every evaluation, in order.</param>
/// <param name="BestStep">The step whose held-out perplexity was lowest.</param>
/// <param name="StepsRun">Steps actually run (fewer than asked when the time budget ran out).</param>
/// <param name="ElapsedSeconds">Training wall-clock seconds.</param>
public sealed record TrainingResult(CausalLM Model, IReadOnlyList<TrainingEvaluation> Curve, int BestStep, int StepsRun, double ElapsedSeconds);

/// <summary>
/// Trains a <see cref="CausalLM"/> from scratch with the predictor's own modules (no forked architecture): next-token
/// cross-entropy on random windows of a token stream, AdamW, linear warm-up then cosine decay, gradient clipping,
/// seeded. Keeps the checkpoint with the lowest held-out perplexity (over-trained checkpoints exaggerate compression
/// deltas).
/// </summary>
public static class ModelTrainer
{
    /// <summary>A Qwen2-shaped byte-level config (QKV bias, GQA, SwiGLU, RoPE, RMSNorm, tied embeddings).</summary>
    public static LlamaConfig CreateConfig(int hiddenSize, int layers, int heads, int keyValueHeads, int headDim, int intermediateSize, int contextLength) => new LlamaConfig
    {
        ModelType = "qwen2",
        HiddenSize = hiddenSize,
        IntermediateSize = intermediateSize,
        NumHiddenLayers = layers,
        NumAttentionHeads = heads,
        NumKeyValueHeads = keyValueHeads,
        HeadDim = headDim,
        VocabSize = ByteCorpus.VocabSize,
        RmsNormEps = 1e-6,
        RopeTheta = 10000,
        MaxPositionEmbeddings = contextLength,
        TieWordEmbeddings = true,
        BosTokenId = ByteCorpus.BosTokenId,
        EosTokenId = [ByteCorpus.EosTokenId],
    }.Validate();

    /// <summary>Trains a fresh model for <paramref name="config"/>.</summary>
    /// <exception cref="ArgumentException">A stream is shorter than one window.</exception>
    public static TrainingResult Train(LlamaConfig config, IReadOnlyList<int> trainTokens, IReadOnlyList<int> heldOutTokens, TrainingOptions options, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(trainTokens);
        ArgumentNullException.ThrowIfNull(heldOutTokens);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(log);
        if (trainTokens.Count <= options.SequenceLength)
        {
            throw new ArgumentException($"The training stream ({trainTokens.Count} tokens) is shorter than one window of {options.SequenceLength}.", nameof(trainTokens));
        }

        var device = torch.device(options.Device);
        var model = new CausalLM(config);
        try
        {
            // A private generator: the global one is shared with anything else building modules in the process.
            using (var generator = new Generator((ulong)options.Seed))
            {
                Initialize(model, config, generator);
            }
            if (device.type != DeviceType.CPU)
            {
                model.to(device);
            }
            var named = model.named_parameters().ToArray();
            foreach (var (_, p) in named)
            {
                p.requires_grad = true;
            }
            // Decay matrices only (as in GPT-2/Llama recipes): norms and biases keep their scale.
            var decayed = named.Where(n => n.parameter.dim() >= 2).Select(n => n.parameter).ToArray();
            var plain = named.Where(n => n.parameter.dim() < 2).Select(n => n.parameter).ToArray();
            using var optimizer = optim.AdamW(
                [new AdamW.ParamGroup(decayed, new AdamW.Options { weight_decay = options.WeightDecay }),
                 new AdamW.ParamGroup(plain, new AdamW.Options { weight_decay = 0 })],
                lr: options.LearningRate, beta1: 0.9, beta2: 0.95, eps: 1e-8);

            var evaluator = new PerplexityEvaluator(new PerplexityEvaluatorOptions
            {
                WindowLength = options.SequenceLength,
                BosTokenId = config.BosTokenId,
                MaxWindows = options.EvalWindows,
                BatchSize = options.BatchSize,
            });
            var random = new Random(options.Seed);
            var curve = new List<TrainingEvaluation>();
            Dictionary<string, Tensor>? best = null;
            var bestPerplexity = double.PositiveInfinity;
            var bestStep = 0;
            double lossSum = 0;
            var lossCount = 0;
            var clock = Stopwatch.StartNew();
            var step = 0;
            while (step < options.Steps)
            {
                var lr = LearningRateAt(step, options);
                foreach (var group in optimizer.ParamGroups)
                {
                    group.LearningRate = lr;
                }
                using (var scope = NewDisposeScope())
                {
                    var (input, target) = SampleBatch(trainTokens, options, config.BosTokenId ?? ByteCorpus.BosTokenId, random, device);
                    optimizer.zero_grad();
                    var logits = model.ForwardForTraining(input);
                    var loss = nn.functional.cross_entropy(logits.view(-1, config.VocabSize), target.view(-1));
                    loss.backward();
                    nn.utils.clip_grad_norm_(model.parameters(), options.GradientClip);
                    optimizer.step();
                    lossSum += loss.item<float>();
                    lossCount++;
                }
                step++;
                var outOfTime = options.TimeBudget is { } budget && clock.Elapsed >= budget;
                if (step % options.EvalEvery == 0 || step == options.Steps || outOfTime)
                {
                    var perplexity = evaluator.Perplexity(ids => model.ForwardForTraining(ids.to(device)), heldOutTokens).Perplexity;
                    var point = new TrainingEvaluation(step, lossSum / lossCount, perplexity, clock.Elapsed.TotalSeconds);
                    curve.Add(point);
                    log.WriteLine($"step {step,5}  lr {lr:0.00e+0}  train loss {point.TrainLoss:0.0000}  held-out ppl {perplexity:0.0000}  {point.ElapsedSeconds:0}s");
                    lossSum = 0;
                    lossCount = 0;
                    if (perplexity < bestPerplexity)
                    {
                        bestPerplexity = perplexity;
                        bestStep = step;
                        DisposeAll(best);
                        best = Snapshot(model);
                    }
                }
                if (outOfTime)
                {
                    log.WriteLine($"time budget reached after {step} steps");
                    break;
                }
            }
            Restore(model, best!);
            DisposeAll(best);
            foreach (var (_, p) in named)
            {
                p.requires_grad = false;
            }
            return new TrainingResult(model, curve, bestStep, step, clock.Elapsed.TotalSeconds);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Linear warm-up to the peak, then cosine decay to the floor at the last step.</summary>
    public static double LearningRateAt(int step, TrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (step < options.WarmupSteps)
        {
            return options.LearningRate * (step + 1) / options.WarmupSteps;
        }
        var progress = (double)(step - options.WarmupSteps) / Math.Max(1, options.Steps - options.WarmupSteps);
        return options.MinLearningRate + 0.5 * (options.LearningRate - options.MinLearningRate) * (1 + Math.Cos(Math.PI * Math.Min(1, progress)));
    }

    /// <summary>GPT-2-style init: N(0, 0.02) for matrices and embeddings, residual outputs scaled by 1/√(2·layers), zero biases, unit norms.</summary>
    private static void Initialize(CausalLM model, LlamaConfig config, Generator generator)
    {
        using var grad = no_grad();
        var residualStd = 0.02 / Math.Sqrt(2.0 * config.NumHiddenLayers);
        foreach (var (name, p) in model.named_parameters())
        {
            if (name.EndsWith("norm.weight", StringComparison.Ordinal))
            {
                p.fill_(1);
            }
            else if (name.EndsWith(".bias", StringComparison.Ordinal))
            {
                p.zero_();
            }
            else
            {
                var residual = name.EndsWith("o_proj.weight", StringComparison.Ordinal) || name.EndsWith("down_proj.weight", StringComparison.Ordinal);
                p.normal_(0, residual ? residualStd : 0.02, generator);
            }
        }
    }

    private static (Tensor Input, Tensor Target) SampleBatch(IReadOnlyList<int> tokens, TrainingOptions options, int bos, Random random, Device device)
    {
        var w = options.SequenceLength;
        var input = new long[options.BatchSize * w];
        var target = new long[options.BatchSize * w];
        for (var b = 0; b < options.BatchSize; b++)
        {
            // BOS then w stream tokens: the model predicts each of the w tokens (input shifted by one), as at evaluation.
            var start = random.Next(0, tokens.Count - w + 1);
            input[b * w] = bos;
            for (var i = 0; i < w; i++)
            {
                if (i + 1 < w)
                {
                    input[b * w + i + 1] = tokens[start + i];
                }
                target[b * w + i] = tokens[start + i];
            }
        }
        long[] shape = [options.BatchSize, w];
        return (tensor(input, shape, ScalarType.Int64).to(device), tensor(target, shape, ScalarType.Int64).to(device));
    }

    private static Dictionary<string, Tensor> Snapshot(CausalLM model)
    {
        using var grad = no_grad();
        return model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone().DetachFromDisposeScope());
    }

    private static void Restore(CausalLM model, Dictionary<string, Tensor> state)
    {
        using var grad = no_grad();
        foreach (var (name, p) in model.state_dict())
        {
            p.copy_(state[name]);
        }
    }

    private static void DisposeAll(Dictionary<string, Tensor>? state)
    {
        foreach (var t in state?.Values ?? Enumerable.Empty<Tensor>())
        {
            t.Dispose();
        }
    }
}
