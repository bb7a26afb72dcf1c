using static TorchSharp.torch;
using ContextPress.Predictor;

namespace ContextPress.ModelLab.Tests;

public sealed class PerplexityEvaluatorTests
{
    [Fact]
    public void Perplexity_is_exp_of_the_mean_nll_computed_window_by_window()
    {
        using var model = CausalLM.FromPretrained(ShippedModel.Directory);
        var tokens = ByteCorpus.ToTokens(ByteCorpus.ReadDocuments(ShippedModel.HeldOutPath)).Take(3 * 255 + 40).ToArray();
        var evaluator = new PerplexityEvaluator(new PerplexityEvaluatorOptions { BatchSize = 2 });

        var result = evaluator.Perplexity(model, tokens);

        // Directly: BOS then each window's 255 stream tokens, log p of every stream token from the model's own helper.
        var logProbs = new List<double>();
        for (var start = 0; start + 255 <= tokens.Length; start += 255)
        {
            int[] sequence = [ByteCorpus.BosTokenId, .. tokens.Skip(start).Take(255)];
            logProbs.AddRange(model.ComputeTokenLogProbabilities(sequence).Select(v => (double)v));
        }
        Assert.Equal(3 * 255, result.TokenCount);
        Assert.Equal(logProbs.Count, result.TokenCount);
        Assert.Equal(Math.Exp(-logProbs.Average()), result.Perplexity, 1e-3);
    }

    [Fact]
    public void Kl_of_a_model_with_itself_is_zero_and_with_another_is_positive()
    {
        using var model = CausalLM.FromPretrained(ShippedModel.Directory);
        var tokens = ByteCorpus.ToTokens(ByteCorpus.ReadDocuments(ShippedModel.HeldOutPath));
        var evaluator = new PerplexityEvaluator(new PerplexityEvaluatorOptions { MaxWindows = 2 });

        var self = evaluator.KlDivergence(model, model, tokens);
        // A candidate whose logits are damped (temperature 2) differs from the dense distribution.
        var damped = evaluator.KlDivergence(ids => model.Forward(ids), ids => model.Forward(ids) / 2, tokens);

        Assert.Equal(0, self, 1e-9);
        Assert.True(damped > 1e-3, $"KL to damped logits {damped}");
    }

    [Fact]
    public void A_kept_reference_gives_the_same_perplexity_and_kl_as_running_both_models_again()
    {
        using var model = CausalLM.FromPretrained(ShippedModel.Directory);
        var tokens = ByteCorpus.ToTokens(ByteCorpus.ReadDocuments(ShippedModel.HeldOutPath));
        var evaluator = new PerplexityEvaluator(new PerplexityEvaluatorOptions { MaxWindows = 3, BatchSize = 2 });
        Func<Tensor, Tensor> damped = ids => model.Forward(ids) / 2;

        using var reference = evaluator.Reference(ids => model.Forward(ids), tokens);
        var (ppl, kl) = evaluator.Compare(reference, damped, tokens);

        Assert.Equal(evaluator.Perplexity(model, tokens).Perplexity, evaluator.Perplexity(reference, tokens).Perplexity, 1e-9);
        Assert.Equal(evaluator.Perplexity(damped, tokens).Perplexity, ppl.Perplexity, 1e-9);
        Assert.True(kl > 1e-3, $"KL to damped logits {kl}");
        var other = new PerplexityEvaluator(new PerplexityEvaluatorOptions { MaxWindows = 5, BatchSize = 2 });
        Assert.Throws<ArgumentException>(() => other.Compare(reference, damped, tokens));
    }

    [Fact]
    public void Windows_score_every_stream_token_once_with_bos_and_all_but_the_first_without()
    {
        var tokens = Enumerable.Range(0, 20).ToArray();

        var withBos = new PerplexityEvaluator(new PerplexityEvaluatorOptions { WindowLength = 5 }).Windows(tokens);
        var withoutBos = new PerplexityEvaluator(new PerplexityEvaluatorOptions { WindowLength = 5, BosTokenId = null }).Windows(tokens);

        Assert.Equal(Enumerable.Range(0, 20).Select(i => (long)i), withBos.SelectMany(w => w.Target).Where(t => t >= 0));
        Assert.All(withBos, w => Assert.Equal(ByteCorpus.BosTokenId, w.Input[0]));
        Assert.Equal(4, withoutBos.Count);
        Assert.Equal([1L, 2, 3, 4, -1], withoutBos[0].Target);
    }
}
