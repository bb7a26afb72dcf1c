using ContextPress.Classifier;
using ContextPress.Compression;
using ContextPress.Scoring;
using ContextPress.Text;
using ContextPress.Tokens;
using static TorchSharp.torch;

namespace ContextPress.Classifier.Tests;

public sealed class XLMRobertaScorerTests
{
    [Fact]
    public async Task ScoresSentencePieceRunsWithTheReferenceRows()
    {
        using var model = TinyXlmr.Create();
        var dir = TinyXlmr.SaveToDirectory(model);
        try
        {
            string[] force = ["\n", "Question:"];
            using var scorer = TokenClassifierScorer.FromPretrained(dir, new TokenClassifierScorerOptions { ForceTokens = force });
            Assert.IsType<XLMRobertaForTokenClassification>(scorer.Model);
            Assert.IsType<SentencePieceVocabulary>(scorer.Vocabulary);
            Assert.Equal(62, scorer.MaxChunkTokens); // 66 position rows - 2 (padding offset) - 2 (row ends)
            Assert.StartsWith("sentencepiece:", scorer.ChunkTokenCounter!.EncodingName, StringComparison.Ordinal);

            const string text = "Question: the cats sat on Paris, 12!";
            var list = new List<WordSpan>();
            scorer.Split(text, force, list);
            var words = list.ToArray();
            Assert.Equal(["Question:", "the", "cats", "sat", "on", "Paris", ",", "12", "!"], words.Select(w => w.Core(text).ToString()));
            var chunk = new WordScoringChunk(text, words, new float[words.Length]);
            await scorer.ScoreAsync([chunk], TestContext.Current.CancellationToken);

            // Expected by hand: "Question:" is two pieces, so it is [NEW1] (id len(tokenizer) + 1); each run between
            // spaces is one SentencePiece segment ("Paris," gives "▁Paris" and ","); rows open and close with <unk>,
            // the id of "[CLS]"/"[SEP]" in XLM-R (the reference's TokenClfDataset, note A.5).
            var vocab = TinyXlmr.Vocabulary;
            (string Piece, int Word)[] pieces =
            [
                ("\u2581the", 1), ("\u2581cat", 2), ("s", 2), ("\u2581sat", 3), ("\u2581on", 4), ("\u2581Paris", 5), (",", 6),
                ("\u2581", 7), ("1", 7), ("2", 7), ("!", 8),
            ];
            long[] ids = [vocab.Count + 1, .. pieces.Select(p => (long)vocab.TokenToId(p.Piece))];
            int[] owners = [0, .. pieces.Select(p => p.Word)];
            var keep = Keep(scorer.Model, [3, .. ids, 3]);
            for (int w = 1; w < words.Length; w++)
            {
                double mean = owners.Select((o, i) => (o, i)).Where(x => x.o == w).Average(x => keep[x.i + 1]);
                Assert.Equal(mean, chunk.Probabilities.Span[w], 1e-5);
            }
            Assert.Equal(1f, chunk.Probabilities.Span[0]);

            // The tokenizer's own <s>/</s> (training's rows) give other probabilities: the row ends matter.
            using var trainingRows = new TokenClassifierScorer(scorer.Model, vocab, new TokenClassifierScorerOptions { ForceTokens = force, ReferenceRowTokens = false });
            var other = new WordScoringChunk(text, words, new float[words.Length]);
            await trainingRows.ScoreAsync([other], TestContext.Current.CancellationToken);
            Assert.Contains(Enumerable.Range(1, words.Length - 1), w => Math.Abs(other.Probabilities.Span[w] - chunk.Probabilities.Span[w]) > 1e-4);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task PromptCompressorRunsOverXlmrInBothModes()
    {
        using var model = TinyXlmr.Create();
        using var scorer = new TokenClassifierScorer(model, TinyXlmr.Vocabulary, new TokenClassifierScorerOptions { ForceTokens = ["\n", "?"] });
        var compressor = new PromptCompressor(scorer, TiktokenTokenCounter.O200k);
        string text = string.Join("\n", Enumerable.Range(0, 40).Select(i => $"the cat sat on the mat {i}. is Paris the capital of France?"));
        var byDefault = await compressor.CompressAsync(text, new PromptCompressionOptions { TargetTokens = 120, ForceTokens = ["\n", "?"] }, TestContext.Current.CancellationToken);
        Assert.True(byDefault.Chunks > 1, $"{byDefault.Chunks} chunk(s)"); // 62-piece rows
        Assert.True(byDefault.CompressedTokens <= 120);
        var reference = await compressor.CompressAsync(text, new PromptCompressionOptions { Rate = 0.4, Mode = PromptCompressionMode.Reference, ForceTokens = ["\n", "?"] }, TestContext.Current.CancellationToken);
        Assert.Equal(text.Count(c => c == '?'), reference.Text.Count(c => c == '?'));
        Assert.InRange(reference.Rate, 0.2, 0.7);
    }

    private static float[] Keep(TokenClassificationModel model, long[] row)
    {
        using var scope = NewDisposeScope();
        var logits = model.forward(tensor(row, [1, row.Length]), ones(1, row.Length, dtype: ScalarType.Int64));
        return logits.softmax(-1)[0, TensorIndex.Colon, 1].data<float>().ToArray();
    }
}
