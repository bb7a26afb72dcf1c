using ContextPress.Predictor;
using static TorchSharp.torch;

namespace ContextPress.ModelLab.Tests;

public sealed class ModelTrainerTests
{
    private static readonly TrainingOptions Tiny = new()
    {
        Seed = 5,
        Steps = 40,
        BatchSize = 4,
        SequenceLength = 32,
        LearningRate = 1e-2,
        MinLearningRate = 1e-3,
        WarmupSteps = 4,
        EvalEvery = 8,
    };

    private static LlamaConfig TinyConfig => ModelTrainer.CreateConfig(hiddenSize: 32, layers: 1, heads: 2, keyValueHeads: 1, headDim: 16, intermediateSize: 64, contextLength: 32);

    private static (int[] Train, int[] HeldOut) Corpus()
    {
        var documents = Enumerable.Range(0, 40).Select(i => $"Tom has {i % 7} apples and {i % 5} pears. He eats one apple.").ToArray();
        var (train, heldOut) = ByteCorpus.Split(documents);
        return (ByteCorpus.ToTokens(train), ByteCorpus.ToTokens(heldOut));
    }

    [Fact]
    public void Training_reduces_held_out_perplexity_below_the_unigram_and_keeps_the_best_checkpoint()
    {
        var (train, heldOut) = Corpus();

        var result = ModelTrainer.Train(TinyConfig, train, heldOut, Tiny, TextWriter.Null);
        using var model = result.Model;

        var curve = string.Join(", ", result.Curve.Select(p => p.HeldOutPerplexity.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)));
        var unigram = UnigramBaseline.Perplexity(train, heldOut).Perplexity;
        Assert.Equal(5, result.Curve.Count);
        Assert.True(result.Curve.Zip(result.Curve.Skip(1)).All(p => p.Second.HeldOutPerplexity < p.First.HeldOutPerplexity), curve);
        // Below the context-free baseline: the model uses context, not just byte frequencies.
        Assert.True(result.Curve[^1].HeldOutPerplexity < unigram, $"{curve} vs unigram {unigram:0.00}");
        var best = result.Curve.MinBy(p => p.HeldOutPerplexity)!;
        Assert.Equal(best.Step, result.BestStep);
        var evaluator = new PerplexityEvaluator(new PerplexityEvaluatorOptions { WindowLength = 32 });
        Assert.Equal(best.HeldOutPerplexity, evaluator.Perplexity(model, heldOut).Perplexity, 1e-3);
    }

    [Fact]
    public void The_same_seed_gives_the_same_weights_and_a_saved_model_reloads_with_the_same_logits()
    {
        var (train, heldOut) = Corpus();
        var options = Tiny with { Steps = 6, EvalEvery = 6 };
        using var first = ModelTrainer.Train(TinyConfig, train, heldOut, options, TextWriter.Null).Model;
        using var second = ModelTrainer.Train(TinyConfig, train, heldOut, options, TextWriter.Null).Model;
        var directory = Directory.CreateTempSubdirectory("modellab-").FullName;
        try
        {
            EvaluationModelStore.Save(first, directory);
            using var reloaded = CausalLM.FromPretrained(directory);

            int[] ids = [ByteCorpus.BosTokenId, .. "Tom has 3 apples"u8.ToArray().Select(b => (int)b)];
            using var scope = NewDisposeScope();
            var expected = first.Forward(CausalLM.ToInput(ids));
            Assert.True(expected.allclose(second.Forward(CausalLM.ToInput(ids))), "same seed, different weights");
            Assert.True(expected.allclose(reloaded.Forward(CausalLM.ToInput(ids)), rtol: 1e-5, atol: 1e-5), "reloaded logits differ");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Learning_rate_warms_up_linearly_then_decays_to_the_floor()
    {
        var options = new TrainingOptions { Steps = 100, WarmupSteps = 10, LearningRate = 1.0, MinLearningRate = 0.1 };

        Assert.Equal(0.1, ModelTrainer.LearningRateAt(0, options), 1e-12);
        Assert.Equal(1.0, ModelTrainer.LearningRateAt(10, options), 1e-12);
        Assert.Equal(0.55, ModelTrainer.LearningRateAt(55, options), 1e-12);
        Assert.Equal(0.1, ModelTrainer.LearningRateAt(100, options), 1e-12);
    }
}
