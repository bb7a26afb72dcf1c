using ContextPress.Predictor;
using ContextPress.Predictor.Tokenization;

namespace ContextPress.ModelLab.Tests;

public sealed class ShippedModelTests
{
    [Fact]
    public void Loads_through_FromPretrained_with_the_byte_level_tokenizer()
    {
        using var model = CausalLM.FromPretrained(ShippedModel.Directory);
        var tokenizer = PromptTokenizerFactory.FromDirectory(ShippedModel.Directory);

        Assert.Equal(ByteCorpus.VocabSize, model.Config.VocabSize);
        Assert.Equal("qwen2", model.Config.ModelType);
        var bytes = Assert.IsType<ByteLevelPromptTokenizer>(tokenizer);
        Assert.Equal(ByteCorpus.BosTokenId, bytes.BosTokenId);
        Assert.Equal([ByteCorpus.EosTokenId], bytes.StopTokenIds);
        Assert.Equal([ByteCorpus.BosTokenId, 0x48, 0xC3, 0xA9], tokenizer.Encode("H\u00e9", addBos: true));
        Assert.Equal("H\u00e9", tokenizer.Decode([0x48, 0xC3, 0xA9, ByteCorpus.EosTokenId]));
    }

    [Fact]
    public void Held_out_perplexity_is_far_below_a_byte_unigram_fitted_on_the_same_slice()
    {
        using var model = CausalLM.FromPretrained(ShippedModel.Directory);
        var tokens = ByteCorpus.ToTokens(ByteCorpus.ReadDocuments(ShippedModel.HeldOutPath));
        var evaluator = new PerplexityEvaluator(new PerplexityEvaluatorOptions { MaxWindows = 8 });
        var scored = evaluator.Windows(tokens).SelectMany(w => w.Target).Where(t => t >= 0).Select(t => (int)t).ToArray();

        var modelPpl = evaluator.Perplexity(model, tokens);
        // Fitted on the very tokens it is scored on: an optimistic unigram, so beating it means the model uses context.
        var unigram = UnigramBaseline.Perplexity(scored, scored);

        Assert.Equal(scored.Length, modelPpl.TokenCount);
        Assert.True(modelPpl.Perplexity < 0.5 * unigram.Perplexity, $"model ppl {modelPpl.Perplexity:0.000} vs unigram {unigram.Perplexity:0.000}");
    }
}
