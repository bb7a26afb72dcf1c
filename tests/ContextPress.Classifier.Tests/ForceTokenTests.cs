using ContextPress.Classifier;
using ContextPress.Compression;
using ContextPress.Scoring;
using ContextPress.Text;
using ContextPress.Tokens;
using ContextPress.Torch.Tests;
using TorchSharp;
using static TorchSharp.torch;

namespace ContextPress.Classifier.Tests;

/// <summary>The reference's force-token handling (note A.3/A.6): <c>[NEWi]</c> rows, forced words, per-piece digits, drop_consecutive.</summary>
public sealed class ForceTokenTests
{
    private static readonly Lazy<WordPieceVocabulary?> s_mbert = new(() =>
        SharedModels.Find("mbert-cased-vocab") is { } dir ? WordPieceVocabulary.Load(dir) : null);

    private static WordPieceVocabulary Mbert()
    {
        Assert.SkipWhen(s_mbert.Value is null, "shared/models/mbert-cased-vocab is absent");
        return s_mbert.Value!;
    }

    /// <summary>A tiny random BERT over the real mBERT vocabulary (119,547 rows of width 32).</summary>
    private static BertForTokenClassification MbertShapedTiny(int seed = 5)
    {
        var model = new BertForTokenClassification(TinyBert.Config with { VocabSize = 119_547 });
        TinyBert.Randomize(model, seed);
        return model;
    }

    /// <summary>P(keep) of every position of one [CLS] + ids + [SEP] row, straight from the model.</summary>
    private static float[] Forward(TokenClassificationModel model, IEnumerable<long> ids, long cls, long sep)
    {
        long[] row = [cls, .. ids, sep];
        using var scope = NewDisposeScope();
        var logits = model.forward(tensor(row, [1, row.Length]), ones(1, row.Length, dtype: ScalarType.Int64));
        return logits.softmax(-1)[0, TensorIndex.Colon, 1].data<float>().ToArray();
    }

    /// <summary>Word probabilities the reference way: mean over each word's pieces, forced words 1.0.</summary>
    private static double[] WordMeans(float[] keep, List<int> owners, WordSpan[] words, Func<int, bool>? pieceIsOne = null)
    {
        var result = new double[words.Length];
        for (int w = 0; w < words.Length; w++)
        {
            var mine = owners.Select((o, i) => (o, i)).Where(x => x.o == w).Select(x => pieceIsOne?.Invoke(x.i) == true ? 1.0 : keep[x.i + 1]).ToList();
            result[w] = (words[w].Traits & WordTraits.Forced) != 0 ? 1.0 : mine.Count == 0 ? 0 : mine.Average();
        }
        return result;
    }

    private static (WordScoringChunk Chunk, WordSpan[] Words) Segment(TokenClassifierScorer scorer, string text, IReadOnlyList<string> force)
    {
        var list = new List<WordSpan>();
        scorer.Split(text, force, list);
        var words = list.ToArray();
        return (new WordScoringChunk(text, words, new float[words.Length]), words);
    }

    [Fact]
    public async Task MultiPieceForceTokensAreFedAsTheirNewIToken()
    {
        var vocab = Mbert();
        string[] force = ["\n", "Question:", "."];
        Assert.Empty(vocab.Tokenize("\n")); // no piece at all: mapped to [NEW0]
        Assert.Equal(["Question", ":"], vocab.Tokenize("Question:").Select(p => p.Piece)); // two pieces: [NEW1]
        Assert.Single(vocab.Tokenize(".")); // one piece: kept as it is, only forced

        using var model = MbertShapedTiny();
        using (var generator = new Generator(99))
        {
            // Distinct rows, so feeding the wrong [NEWi] would show.
            using var rows = randn(100, 32, generator: generator);
            model.SetAddedTokenEmbeddings(rows);
        }
        using var scorer = new TokenClassifierScorer(model, vocab, new TokenClassifierScorerOptions { ForceTokens = force });
        Assert.Equal(100, model.AddedTokenCount); // the scorer kept the rows set above

        const string text = "Question: what did the cat eat?\nThe cat ate fish. Question: why?";
        var (chunk, words) = Segment(scorer, text, force);
        await scorer.ScoreAsync([chunk], TestContext.Current.CancellationToken);

        List<long> Ids(int questionId, out List<int> owners)
        {
            var ids = new List<long>();
            owners = [];
            for (int w = 0; w < words.Length; w++)
            {
                string core = words[w].Core(text).ToString();
                IEnumerable<long> pieces = core switch
                {
                    "\n" => [vocab.Count + 0],
                    "Question:" when questionId >= 0 => [questionId],
                    _ => vocab.Tokenize(core).Select(p => (long)p.Id),
                };
                foreach (long id in pieces)
                {
                    ids.Add(id);
                    owners.Add(w);
                }
            }
            return ids;
        }

        var expectedIds = Ids(vocab.Count + 1, out var owners);
        var expected = WordMeans(Forward(model, expectedIds, vocab.ClsId, vocab.SepId), owners, words);
        for (int w = 0; w < words.Length; w++)
        {
            Assert.Equal(expected[w], chunk.Probabilities.Span[w], 1e-5);
        }
        Assert.Equal(1f, chunk.Probabilities.Span[Array.FindIndex(words, w => w.Core(text).SequenceEqual("."))]);

        // The check can fail: the pieces of "Question:", or another [NEWi], give other probabilities to the other words.
        foreach (long other in new long[] { -1, vocab.Count + 0 })
        {
            var otherIds = Ids((int)other, out var otherOwners);
            var alternative = WordMeans(Forward(model, otherIds, vocab.ClsId, vocab.SepId), otherOwners, words);
            Assert.Contains(Enumerable.Range(0, words.Length), w => Math.Abs(alternative[w] - chunk.Probabilities.Span[w]) > 1e-4);
        }
    }

    [Fact]
    public void AddedRowsAreTheMeanWordEmbeddingRow()
    {
        using var model = TinyBert.Create();
        model.AddTokens(3);
        Assert.Equal(3, model.AddedTokenCount);
        using var scope = NewDisposeScope();
        var table = model.state_dict()["bert.embeddings.word_embeddings.weight"];
        var mean = table.mean([0L]);
        var added = model.AddedTokenEmbeddings()!;
        Assert.Equal([3L, 32L], added.shape);
        Assert.True((added - mean.unsqueeze(0)).abs().max().item<float>() < 1e-6f);
        model.AddTokens(2); // never shrinks
        Assert.Equal(3, model.AddedTokenCount);

        // An added id embeds as that row: the same logits as a model whose row 20 is the mean.
        using var twin = TinyBert.Create();
        using (no_grad())
        {
            twin.state_dict()["bert.embeddings.word_embeddings.weight"][20].copy_(mean);
        }
        long vocab = model.Config.VocabSize;
        long[] withAdded = [2, 10, vocab + 2, 11, 3];
        long[] withRow = [2, 10, 20, 11, 3];
        var mask = ones(1, 5, dtype: ScalarType.Int64);
        var a = model.forward(tensor(withAdded, [1, 5]), mask);
        var b = twin.forward(tensor(withRow, [1, 5]), mask);
        Assert.True((a - b).abs().max().item<float>() < 1e-5f);

        Assert.Throws<ArgumentException>(() => model.SetAddedTokenEmbeddings(zeros(4, 31)));
    }

    [Fact]
    public async Task ForceReserveDigitCountsEachDigitPieceAsOne()
    {
        var vocab = Mbert();
        var pieces = vocab.Tokenize("UM3OG5x").Select(p => p.Piece).ToList();
        Assert.Contains(pieces, p => p.Any(char.IsDigit));
        Assert.Contains(pieces, p => !p.Any(char.IsDigit)); // a word mixing digit and other pieces

        using var model = MbertShapedTiny();
        using var plain = new TokenClassifierScorer(model, vocab);
        using var digits = new TokenClassifierScorer(model, vocab, new TokenClassifierScorerOptions { ForceReserveDigit = true });
        Assert.NotEqual(plain.Fingerprint, digits.Fingerprint);
        const string text = "the code UM3OG5x works";
        var (a, words) = Segment(plain, text, []);
        var (b, _) = Segment(digits, text, []);
        await plain.ScoreAsync([a], TestContext.Current.CancellationToken);
        await digits.ScoreAsync([b], TestContext.Current.CancellationToken);

        var owners = new List<int>();
        var ids = new List<long>();
        var pieceText = new List<string>();
        for (int w = 0; w < words.Length; w++)
        {
            foreach (var p in vocab.Tokenize(words[w].Core(text)))
            {
                ids.Add(p.Id);
                owners.Add(w);
                pieceText.Add(p.Piece);
            }
        }
        var keep = Forward(model, ids, vocab.ClsId, vocab.SepId);
        var expected = WordMeans(keep, owners, words, i => pieceText[i].Any(char.IsDigit));
        int code = Array.FindIndex(words, w => w.Core(text).SequenceEqual("UM3OG5x"));
        Assert.Equal(expected[code], b.Probabilities.Span[code], 1e-5);
        Assert.True(b.Probabilities.Span[code] < 1f); // the mean, not a forced word
        Assert.True(b.Probabilities.Span[code] > a.Probabilities.Span[code]);
        Assert.Equal(a.Probabilities.Span[0], b.Probabilities.Span[0]); // words without digits are untouched
    }

    [Fact]
    public async Task DropConsecutiveKeepsARepeatedForceTokenOnce()
    {
        using var model = TinyBert.Create();
        using var scorer = new TokenClassifierScorer(model, TinyBert.Vocabulary, new TokenClassifierScorerOptions { ForceTokens = ["."] });
        var compressor = new PromptCompressor(scorer, TiktokenTokenCounter.O200k);
        string text = string.Concat(Enumerable.Repeat("the cat sat... on the mat... Paris is the capital of France... ", 6));
        var options = new PromptCompressionOptions { Rate = 0.5, Mode = PromptCompressionMode.Reference, ForceTokens = ["."] };
        var kept = await compressor.CompressAsync(text, options, TestContext.Current.CancellationToken);
        var dropped = await compressor.CompressAsync(text, options with { DropConsecutive = true }, TestContext.Current.CancellationToken);
        Assert.Contains("...", kept.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("..", dropped.Text, StringComparison.Ordinal);
        Assert.Contains(".", dropped.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void TooManyForceTokensAreRejected()
    {
        using var model = TinyBert.Create();
        var force = Enumerable.Range(0, 101).Select(i => $"tok{i}").ToArray();
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new TokenClassifierScorer(model, TinyBert.Vocabulary, new TokenClassifierScorerOptions { ForceTokens = force }));
        Assert.Contains("100", error.Message, StringComparison.Ordinal);
    }
}
