using System.Diagnostics;
using ContextPress.Classifier;
using ContextPress.Scoring;
using ContextPress.Text;

namespace ContextPress.Classifier.Tests;

/// <summary>A CPU throughput figure for an mBERT-shaped (random-weight) classifier on the real vocab; opt-in, it takes a while.</summary>
public sealed class MbertSizedBenchmark
{
    private const string MbertVocab = "/work/shared/models/mbert-cased-vocab/vocab.txt";

    [Fact]
    public async Task MbertSizedModelScoresOnCpu()
    {
        Assert.SkipUnless(Environment.GetEnvironmentVariable("CONTEXTPRESS_MBERT_BENCH") == "1", "set CONTEXTPRESS_MBERT_BENCH=1 to run");
        Assert.SkipWhen(!File.Exists(MbertVocab), $"{MbertVocab} is absent");
        var vocabulary = WordPieceVocabulary.Load(MbertVocab);
        var config = BertConfig.Parse("""{"vocab_size": 119547, "hidden_size": 768, "num_hidden_layers": 12, "num_attention_heads": 12, "intermediate_size": 3072, "max_position_embeddings": 512, "id2label": {"0": "0", "1": "1"}}""");
        using var model = new BertForTokenClassification(config);
        using var scorer = new TokenClassifierScorer(model, vocabulary);

        string sentence = "The quarterly report for UM3OG5 shows revenue of $12.50 million, 中文 summary included, and the team agreed to revisit the budget next week. ";
        string text = string.Concat(Enumerable.Repeat(sentence, 150));
        var words = new List<WordSpan>();
        scorer.Split(text, [], words);
        int pieces = vocabulary.CountTokens(text);

        // Chunks of at most 510 pieces, as the compressor would cut them.
        var chunks = new List<WordScoringChunk>();
        var probabilities = new float[words.Count];
        int start = 0;
        while (start < words.Count)
        {
            int end = start, count = 0;
            while (end < words.Count && count + vocabulary.CountTokens(words[end].Slice(text)) <= 510)
            {
                count += vocabulary.CountTokens(words[end].Slice(text));
                end++;
            }
            chunks.Add(new WordScoringChunk(text, words.GetRange(start, end - start).ToArray(), probabilities.AsMemory(start, end - start)));
            start = end;
        }

        await scorer.ScoreAsync(chunks.Take(1).ToList(), TestContext.Current.CancellationToken); // warm-up
        var stopwatch = Stopwatch.StartNew();
        await scorer.ScoreAsync(chunks, TestContext.Current.CancellationToken);
        stopwatch.Stop();
        TestContext.Current.TestOutputHelper?.WriteLine($"{pieces} WordPiece tokens in {chunks.Count} chunks: {stopwatch.Elapsed.TotalSeconds:F2} s, {pieces / stopwatch.Elapsed.TotalSeconds:F0} tokens/s on {Environment.ProcessorCount} cores");
        Assert.All(probabilities, p => Assert.InRange(p, 0f, 1f));
    }
}
