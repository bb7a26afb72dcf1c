using ContextPress.Compression;
using ContextPress.Predictor.Llama2c;
using ContextPress.Predictor.Scoring;
using ContextPress.Predictor.Tokenization;
using ContextPress.Scoring;
using ContextPress.Text;
using ContextPress.Tokens;
using TorchSharp;

namespace ContextPress.Predictor.Tests;

/// <summary>LLMLingua self-information over stories260K (real trained weights).</summary>
public sealed class CausalLmScorerTests(ITestOutputHelper output)
{
    private const string Sentence = "Lily went to the park with her mom and saw a big red ball.";

    private static (CausalLM Model, IPromptTokenizer Tokenizer)? LoadStories()
    {
        var dir = SharedModels.Find("stories260K");
        if (dir is null)
        {
            return null;
        }
        var model = CausalLM.FromLlama2c(Path.Combine(dir, "stories260K.bin"));
        return (model, new Llama2cPromptTokenizer(Llama2cTokenizer.Load(Path.Combine(dir, "tok512.bin"), model.Config.VocabSize)));
    }

    private static WordScoringChunk Chunk(string text, string? question = null)
    {
        var words = new List<WordSpan>();
        WordSplitter.Split(text, words);
        return new WordScoringChunk(text, words.ToArray(), new float[words.Count], question);
    }

    private static float Sum(float[] values, int start, int count) => values.Skip(start).Take(count).Sum();

    [Fact]
    public void InformationIsTheSummedSurprisalOfTheWordsTokens()
    {
        var loaded = LoadStories();
        Assert.SkipWhen(loaded is null, "shared/models/stories260K is absent");
        var (model, tokenizer) = loaded.Value;
        using var _ = model;
        var scorer = new CausalLmScorer(model, tokenizer);
        var chunk = Chunk(Sentence);

        var information = scorer.ComputeWordInformation([chunk], TestContext.Current.CancellationToken)[0];

        // Word-aligned tokens after BOS; the whole chunk's information is the sequence's negative log-likelihood.
        var ids = new List<int> { Llama2cTokenizer.Bos };
        var firstToken = new List<int>();
        foreach (var word in chunk.Words.ToArray())
        {
            firstToken.Add(ids.Count - 1);
            ids.AddRange(tokenizer.EncodeWord(Sentence[word.Start..word.CoreStart], Sentence[word.CoreStart..word.End]));
        }
        var logProbs = model.ComputeTokenLogProbabilities(ids);
        Assert.Equal(-logProbs.Sum(), information.Sum(), 2);
        for (var w = 0; w < information.Length; w++)
        {
            var end = w + 1 < firstToken.Count ? firstToken[w + 1] : logProbs.Length;
            Assert.Equal(-Sum(logProbs, firstToken[w], end - firstToken[w]), information[w], 3);
        }
    }

    [Fact]
    public void ARepeatedSentenceIsLessSurprisingTheSecondTimeAndScoresLower()
    {
        var loaded = LoadStories();
        Assert.SkipWhen(loaded is null, "shared/models/stories260K is absent");
        var (model, tokenizer) = loaded.Value;
        using var _ = model;
        var scorer = new CausalLmScorer(model, tokenizer);
        var text = Sentence + " " + Sentence;
        var chunk = Chunk(text);
        var half = chunk.Words.Length / 2;

        var information = scorer.ComputeWordInformation([chunk], TestContext.Current.CancellationToken)[0];
        await_(scorer.ScoreAsync([chunk], TestContext.Current.CancellationToken));
        var probabilities = chunk.Probabilities.ToArray();

        output.WriteLine($"first copy {Sum(information, 0, half):F2} nats, second {Sum(information, half, half):F2} nats");
        // The model has seen the sentence once, so the copy is more predictable (260K parameters copy little: about 5%).
        Assert.True(Sum(information, half, half) < Sum(information, 0, half));
        Assert.True(Sum(probabilities, half, half) < Sum(probabilities, 0, half));

        // Monotone: more information, higher keep probability; all in (0, 1).
        for (var a = 0; a < information.Length; a++)
        {
            Assert.InRange(probabilities[a], 0f, 1f);
            for (var b = 0; b < information.Length; b++)
            {
                if (information[a] < information[b])
                {
                    Assert.True(probabilities[a] < probabilities[b]);
                }
            }
        }
    }

    [Fact]
    public void ANonsenseWordScoresAboveAPredictableOne()
    {
        var loaded = LoadStories();
        Assert.SkipWhen(loaded is null, "shared/models/stories260K is absent");
        var (model, tokenizer) = loaded.Value;
        using var _ = model;
        var scorer = new CausalLmScorer(model, tokenizer);
        const string text = "Once upon a time, there was a little girl named Zqxvbk. She liked to play.";
        var chunk = Chunk(text);
        await_(scorer.ScoreAsync([chunk], TestContext.Current.CancellationToken));
        var words = chunk.Words.ToArray();
        var p = chunk.Probabilities.ToArray();
        float Of(string core) => p[Array.FindIndex(words, w => text[w.CoreStart..w.End] == core)];
        Assert.True(Of("Zqxvbk") > Of("upon"));
        Assert.True(Of("Zqxvbk") > Of("time"));
        Assert.Equal(p.Max(), Of("Zqxvbk"));
    }

    [Fact]
    public async Task PromptCompressorKeepsTheBudgetAndIsDeterministic()
    {
        var loaded = LoadStories();
        Assert.SkipWhen(loaded is null, "shared/models/stories260K is absent");
        var (model, tokenizer) = loaded.Value;
        using var _ = model;
        var scorer = new CausalLmScorer(model, tokenizer, new CausalLmScorerOptions { MaxChunkTokens = 64, ModelName = "stories260K" });
        var compressor = new PromptCompressor(scorer, TiktokenTokenCounter.O200k);
        var text = string.Join(' ', Enumerable.Repeat("Once upon a time, there was a little boy named Tim. Tim had a big dog. The dog liked to run in the park with a red ball.", 6));

        var first = await compressor.CompressAsync(text, new PromptCompressionOptions { TargetTokens = 60 }, TestContext.Current.CancellationToken);
        var second = await compressor.CompressAsync(text, new PromptCompressionOptions { TargetTokens = 60 }, TestContext.Current.CancellationToken);

        output.WriteLine($"{first.OriginalTokens} -> {first.CompressedTokens} tokens in {first.Chunks} chunks: {first.Text}");
        Assert.True(first.Chunks > 1, "the 64-token window must cut the text into several chunks");
        Assert.True(first.BudgetFeasible);
        Assert.InRange(first.CompressedTokens, 30, 60);
        Assert.Equal(first.Text, second.Text);
        Assert.Equal(first.CompressedTokens, TiktokenTokenCounter.O200k.CountTokens(first.Text));
    }

    [Fact]
    public void BatchedScoringMatchesOneChunkAtATime()
    {
        var loaded = LoadStories();
        Assert.SkipWhen(loaded is null, "shared/models/stories260K is absent");
        var (model, tokenizer) = loaded.Value;
        using var _ = model;
        string[] texts = ["Tom had a toy car.", Sentence, "The sun was hot. Sue and Ben ate ice cream in the shade of a tree, and they were happy."];
        var batched = new CausalLmScorer(model, tokenizer, new CausalLmScorerOptions { MaxBatchSize = 8 })
            .ComputeWordInformation(texts.Select(t => Chunk(t)).ToArray(), TestContext.Current.CancellationToken);
        var single = new CausalLmScorer(model, tokenizer, new CausalLmScorerOptions { MaxBatchSize = 1 })
            .ComputeWordInformation(texts.Select(t => Chunk(t)).ToArray(), TestContext.Current.CancellationToken);
        for (var c = 0; c < texts.Length; c++)
        {
            Assert.Equal(single[c].Length, batched[c].Length);
            for (var w = 0; w < single[c].Length; w++)
            {
                Assert.Equal(single[c][w], batched[c][w], 3);
            }
        }
    }

    [Fact]
    public void AQuestionAddsTheContrastiveTerm()
    {
        var loaded = LoadStories();
        Assert.SkipWhen(loaded is null, "shared/models/stories260K is absent");
        var (model, tokenizer) = loaded.Value;
        using var _ = model;
        const string question = "Where did Lily go with her mom?";
        var plain = new CausalLmScorer(model, tokenizer).ComputeWordInformation([Chunk(Sentence)], TestContext.Current.CancellationToken)[0];
        var asked = new CausalLmScorer(model, tokenizer, new CausalLmScorerOptions { QuestionWeight = 0.5f })
            .ComputeWordInformation([Chunk(Sentence, question)], TestContext.Current.CancellationToken)[0];
        var ignored = new CausalLmScorer(model, tokenizer, new CausalLmScorerOptions { QuestionWeight = 0 })
            .ComputeWordInformation([Chunk(Sentence, question)], TestContext.Current.CancellationToken)[0];
        Assert.Equal(plain, ignored);

        // s|q from the model directly: BOS, the question's tokens, then the sentence's word-aligned tokens.
        var questionIds = tokenizer.Encode(question, addBos: false);
        var ids = new List<int> { Llama2cTokenizer.Bos };
        ids.AddRange(questionIds);
        foreach (var word in Chunk(Sentence).Words.ToArray())
        {
            ids.AddRange(tokenizer.EncodeWord(Sentence[word.Start..word.CoreStart], Sentence[word.CoreStart..word.End]));
        }
        var conditioned = -model.ComputeTokenLogProbabilities(ids).Skip(questionIds.Count).Sum();
        Assert.Equal(plain.Sum() + (0.5f * (plain.Sum() - conditioned)), asked.Sum(), 2);
        Assert.NotEqual(plain.Sum(), asked.Sum(), 2);
    }

    [Fact]
    public void ScoringKeepsNoTensorsAliveAndTheFingerprintNamesTheModel()
    {
        var loaded = LoadStories();
        Assert.SkipWhen(loaded is null, "shared/models/stories260K is absent");
        var (model, tokenizer) = loaded.Value;
        using var _ = model;
        var scorer = new CausalLmScorer(model, tokenizer, new CausalLmScorerOptions { ModelName = "stories260K" });
        var chunks = new[] { Chunk(Sentence, "Who went to the park?"), Chunk("Tom had a toy car.") };
        await_(scorer.ScoreAsync(chunks, TestContext.Current.CancellationToken));
        var before = DisposeScopeManager.Statistics.ThreadTotalLiveCount; // per thread: other tests run in parallel
        for (var i = 0; i < 25; i++)
        {
            await_(scorer.ScoreAsync(chunks, TestContext.Current.CancellationToken));
        }
        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);

        Assert.StartsWith("causal-lm/v1/stories260K/Float32/", scorer.Fingerprint, StringComparison.Ordinal);
        Assert.Contains(scorer.ModelDigest, scorer.Fingerprint, StringComparison.Ordinal);
        Assert.Equal(scorer.Fingerprint, new CausalLmScorer(model, tokenizer, new CausalLmScorerOptions { ModelName = "stories260K" }).Fingerprint);

        // Same name and config, different weights: the digest differs.
        using var other = CausalLM.FromLlama2c(Path.Combine(SharedModels.Find("stories260K")!, "stories260K.bin"));
        using (torch.no_grad())
        {
            other.named_parameters().First(p => p.name.EndsWith("embed_tokens.weight", StringComparison.Ordinal)).parameter.mul_(1.5);
        }
        Assert.NotEqual(scorer.Fingerprint, new CausalLmScorer(other, tokenizer, new CausalLmScorerOptions { ModelName = "stories260K" }).Fingerprint);
        Assert.Equal(scorer.MaxChunkTokens, Math.Min(512, model.Config.MaxPositionEmbeddings - 1 - 64));
        Assert.Equal(tokenizer.EncodeWord(" ", "Lily").Count, scorer.ChunkTokenCounter!.CountTokens(" Lily"));
    }

    [Fact]
    public void RanksBecomeProbabilitiesWithTiesShared()
    {
        var p = new float[5];
        CausalLmScorer.RankToProbabilities([3f, 1f, 3f, 0.5f, 9f], p);
        Assert.Equal([0.6f, 0.3f, 0.6f, 0.1f, 0.9f], p); // 3 and 3 share ranks 2 and 3: (2.5 + 0.5) / 5
        var one = new float[1];
        CausalLmScorer.RankToProbabilities([7f], one);
        Assert.Equal(0.5f, one[0]);
    }

    private static void await_(ValueTask task)
    {
        Assert.True(task.IsCompletedSuccessfully);
        task.GetAwaiter().GetResult();
    }
}
