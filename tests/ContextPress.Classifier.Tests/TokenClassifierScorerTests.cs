using ContextPress.Classifier;
using ContextPress.Compression;
using ContextPress.Scoring;
using ContextPress.Text;
using ContextPress.Tokens;
using TorchSharp;
using static TorchSharp.torch;

namespace ContextPress.Classifier.Tests;

public sealed class TokenClassifierScorerTests
{
    private static WordScoringChunk Chunk(string text, out WordSpan[] words, Func<WordSpan, string, bool>? force = null)
    {
        var list = new List<WordSpan>();
        WordSplitter.Split(text, list);
        words = list.Select(w => force is not null && force(w, text) ? w.With(WordTraits.Forced) : w).ToArray();
        return new WordScoringChunk(text, words, new float[words.Length]);
    }

    private static string LongText(int sentences, int seed = 3)
    {
        string[] subjects = ["the cat", "Paris", "the capital of France", "a dog", "the mat"];
        string[] verbs = ["sat on", "is", "saw", "ran to", "hid under"];
        var random = new Random(seed);
        return string.Join(" ", Enumerable.Range(0, sentences).Select(_ =>
            $"{subjects[random.Next(subjects.Length)]} {verbs[random.Next(verbs.Length)]} {subjects[random.Next(subjects.Length)]} {random.Next(100)}."));
    }

    [Fact]
    public async Task WordProbabilityIsTheMeanKeepProbabilityOfItsPieces()
    {
        using var model = TinyBert.Create();
        using var scorer = new TokenClassifierScorer(model, TinyBert.Vocabulary);
        const string text = "the cats sat on Paris, costing $12.50!";
        var chunk = Chunk(text, out var words);
        await scorer.ScoreAsync([chunk], TestContext.Current.CancellationToken);

        // Independent expectation: [CLS] + each word's pieces + [SEP], softmax over labels, label 1, mean per word.
        var owners = new List<int>();
        var ids = new List<long> { TinyBert.Vocabulary.ClsId };
        for (int w = 0; w < words.Length; w++)
        {
            foreach (var piece in TinyBert.Vocabulary.Tokenize(words[w].Slice(text)))
            {
                ids.Add(piece.Id);
                owners.Add(w);
            }
        }
        ids.Add(TinyBert.Vocabulary.SepId);
        using var scope = NewDisposeScope();
        var logits = model.forward(tensor(ids.ToArray(), [1, ids.Count]), ones(1, ids.Count, dtype: ScalarType.Int64));
        var keep = logits.softmax(-1)[0, TensorIndex.Colon, 1].data<float>().ToArray();
        Assert.Contains(owners.GroupBy(o => o), g => g.Count() > 1); // some word has several pieces
        for (int w = 0; w < words.Length; w++)
        {
            var mine = owners.Select((o, i) => (o, p: keep[i + 1])).Where(x => x.o == w).Select(x => (double)x.p).ToList();
            Assert.NotEmpty(mine);
            Assert.Equal(mine.Average(), chunk.Probabilities.Span[w], 1e-5);
        }
    }

    [Fact]
    public async Task KeepLabelSelectsTheClass()
    {
        using var model = TinyBert.Create();
        using var one = new TokenClassifierScorer(model, TinyBert.Vocabulary);
        using var zero = new TokenClassifierScorer(model, TinyBert.Vocabulary, new TokenClassifierScorerOptions { KeepLabel = 0 });
        var a = Chunk("the cat sat on the mat", out _);
        var b = Chunk("the cat sat on the mat", out _);
        await one.ScoreAsync([a], TestContext.Current.CancellationToken);
        await zero.ScoreAsync([b], TestContext.Current.CancellationToken);
        for (int w = 0; w < a.Probabilities.Length; w++)
        {
            // Single-piece words: the two labels' probabilities sum to one.
            Assert.Equal(1.0, a.Probabilities.Span[w] + b.Probabilities.Span[w], 1e-5);
        }
        Assert.NotEqual(one.Fingerprint, zero.Fingerprint);
        Assert.Throws<ArgumentOutOfRangeException>(() => new TokenClassifierScorer(model, TinyBert.Vocabulary, new TokenClassifierScorerOptions { KeepLabel = 2 }));
    }

    [Fact]
    public async Task BatchEqualsOneByOne()
    {
        using var model = TinyBert.Create();
        using var scorer = new TokenClassifierScorer(model, TinyBert.Vocabulary, new TokenClassifierScorerOptions { MaxBatchSize = 4 });
        string[] texts = ["the cat sat.", "Paris is the capital of France, 12 of 50!", "dogs", LongText(12)];
        var together = texts.Select(t => Chunk(t, out _)).ToList();
        await scorer.ScoreAsync(together, TestContext.Current.CancellationToken);
        for (int i = 0; i < texts.Length; i++)
        {
            var alone = Chunk(texts[i], out _);
            await scorer.ScoreAsync([alone], TestContext.Current.CancellationToken);
            for (int w = 0; w < alone.Probabilities.Length; w++)
            {
                Assert.Equal(alone.Probabilities.Span[w], together[i].Probabilities.Span[w], 1e-5); // padding to another length: fp32 noise only
            }
        }
    }

    [Fact]
    public async Task ForcedWordsGetOneAndOthersStayInsideTheUnitInterval()
    {
        using var model = TinyBert.Create();
        using var scorer = new TokenClassifierScorer(model, TinyBert.Vocabulary);
        var chunk = Chunk("the cat sat on Paris mat", out var words, (w, t) => w.Core(t).SequenceEqual("Paris"));
        await scorer.ScoreAsync([chunk], TestContext.Current.CancellationToken);
        for (int w = 0; w < words.Length; w++)
        {
            float p = chunk.Probabilities.Span[w];
            if ((words[w].Traits & WordTraits.Forced) != 0)
            {
                Assert.Equal(1f, p);
            }
            else
            {
                Assert.InRange(p, 0f, 1f);
                Assert.NotEqual(1f, p);
            }
        }
    }

    [Fact]
    public async Task OverlongChunksAreSplitIntoRowsOf510Pieces()
    {
        using var model = TinyBert.Create();
        using var scorer = new TokenClassifierScorer(model, TinyBert.Vocabulary);
        Assert.Equal(510, scorer.MaxChunkTokens);
        Assert.NotNull(scorer.ChunkTokenCounter);
        Assert.Equal(TinyBert.Vocabulary.CountTokens("UM3OG5 costs $12.50"), scorer.ChunkTokenCounter!.CountTokens("UM3OG5 costs $12.50"));
        Assert.StartsWith("wordpiece:", scorer.ChunkTokenCounter.EncodingName, StringComparison.Ordinal);

        string text = LongText(120);
        Assert.True(TinyBert.Vocabulary.CountTokens(text) > 2 * 510);
        var chunk = Chunk(text, out _);
        await scorer.ScoreAsync([chunk], TestContext.Current.CancellationToken); // a 512-position model would throw past 512 ids
        Assert.All(chunk.Probabilities.ToArray(), p => Assert.InRange(p, 1e-6f, 1f - 1e-6f));
    }

    [Fact]
    public void FingerprintIdentifiesTheWeights()
    {
        using var model = TinyBert.Create(seed: 7);
        using var same = TinyBert.Create(seed: 7);
        using var other = TinyBert.Create(seed: 8);
        var fingerprint = new TokenClassifierScorer(model, TinyBert.Vocabulary).Fingerprint;
        Assert.Equal(fingerprint, new TokenClassifierScorer(same, TinyBert.Vocabulary).Fingerprint);
        Assert.NotEqual(fingerprint, new TokenClassifierScorer(other, TinyBert.Vocabulary).Fingerprint);
        Assert.Contains("fp32", fingerprint, StringComparison.Ordinal);

        using (no_grad())
        {
            same.state_dict()["classifier.bias"][0].add_(0.5f);
        }
        Assert.NotEqual(fingerprint, new TokenClassifierScorer(same, TinyBert.Vocabulary).Fingerprint);
    }

    [Fact]
    public async Task ManyCallsLeakNoTensors()
    {
        using var model = TinyBert.Create();
        using var scorer = new TokenClassifierScorer(model, TinyBert.Vocabulary);
        var warm = Chunk(LongText(5), out _);
        await scorer.ScoreAsync([warm], TestContext.Current.CancellationToken);
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        for (int i = 0; i < 30; i++)
        {
            await scorer.ScoreAsync([Chunk(LongText(5, seed: i), out _), Chunk("the cat", out _)], TestContext.Current.CancellationToken);
        }
        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);

        // The counter does see a tensor left alive, so the check above can fail.
        using var leaked = ones(3);
        Assert.Equal(before + 1, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    [Fact]
    public async Task PromptCompressorMeetsItsBudgetAndKeepsForceTokens()
    {
        using var model = TinyBert.Create();
        using var scorer = new TokenClassifierScorer(model, TinyBert.Vocabulary);
        var compressor = new PromptCompressor(scorer, TiktokenTokenCounter.O200k);
        string text = LongText(80) + " Remember UM3OG5 is the code.";
        // Digits are not forced here: 80 forced numbers would leave the scorer nothing to decide within 150 tokens.
        var result = await compressor.CompressAsync(text, new PromptCompressionOptions { TargetTokens = 150, ForceTokens = ["UM3OG5"], ForceReserveDigit = false }, TestContext.Current.CancellationToken);
        Assert.True(result.Chunks > 1, $"{result.Chunks} chunk(s)");
        Assert.True(result.OriginalTokens > 600);
        Assert.True(result.BudgetFeasible, $"{result.CompressedTokens} > {result.TargetTokens}");
        Assert.True(result.CompressedTokens <= 150);
        Assert.True(result.CompressedTokens >= 100, $"only {result.CompressedTokens} tokens kept");
        Assert.Contains("UM3OG5", result.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReferenceModeKeepsForceTokens()
    {
        using var model = TinyBert.Create();
        using var scorer = new TokenClassifierScorer(model, TinyBert.Vocabulary);
        var compressor = new PromptCompressor(scorer, TiktokenTokenCounter.O200k);
        string text = LongText(60) + " Remember UM3OG5 is the code.";
        var result = await compressor.CompressAsync(text, new PromptCompressionOptions { Rate = 0.4, Mode = PromptCompressionMode.Reference, ForceTokens = ["UM3OG5"] }, TestContext.Current.CancellationToken);
        Assert.Contains("UM3OG5", result.Text, StringComparison.Ordinal);
        Assert.InRange(result.Rate, 0.2, 0.6);
    }

    [Fact]
    public async Task FromPretrainedLoadsModelAndVocabulary()
    {
        using var model = TinyBert.Create();
        var dir = TinyBert.SaveToDirectory(model);
        try
        {
            using var loaded = TokenClassifierScorer.FromPretrained(dir);
            using var inMemory = new TokenClassifierScorer(model, TinyBert.Vocabulary);
            Assert.Equal(inMemory.Fingerprint, loaded.Fingerprint);
            var a = Chunk("the cats sat on Paris.", out _);
            var b = Chunk("the cats sat on Paris.", out _);
            await loaded.ScoreAsync([a], TestContext.Current.CancellationToken);
            await inMemory.ScoreAsync([b], TestContext.Current.CancellationToken);
            Assert.Equal(b.Probabilities.ToArray(), a.Probabilities.ToArray());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task ConcurrentCallsGiveTheSequentialResults()
    {
        using var model = TinyBert.Create();
        using var scorer = new TokenClassifierScorer(model, TinyBert.Vocabulary);
        var texts = Enumerable.Range(0, 6).Select(i => LongText(8, seed: 100 + i)).ToArray();
        var sequential = new List<float[]>();
        foreach (var text in texts)
        {
            var chunk = Chunk(text, out _);
            await scorer.ScoreAsync([chunk], TestContext.Current.CancellationToken);
            sequential.Add(chunk.Probabilities.ToArray());
        }
        var parallel = await Task.WhenAll(texts.Select(text => Task.Run(async () =>
        {
            var chunk = Chunk(text, out _);
            await scorer.ScoreAsync([chunk], TestContext.Current.CancellationToken);
            return chunk.Probabilities.ToArray();
        }, TestContext.Current.CancellationToken)));
        for (int i = 0; i < texts.Length; i++)
        {
            Assert.Equal(sequential[i], parallel[i]);
        }
    }

    [Fact]
    public async Task AWordLongerThanARowIsTruncatedNotFatal()
    {
        // A word over 100 characters is one [UNK], as HF's max_input_chars_per_word = 100 makes it.
        Assert.Equal(3, TinyBert.Vocabulary.CountTokens("the " + new string('a', 600) + " cat"));

        // So only a small position table can meet a word with more pieces than a row: 90 pieces > 62.
        using var model = new BertForTokenClassification(TinyBert.Config with { MaxPositionEmbeddings = 64 });
        using var scorer = new TokenClassifierScorer(model, TinyBert.Vocabulary);
        string text = "the " + new string('a', 90) + " cat";
        Assert.Equal(92, TinyBert.Vocabulary.CountTokens(text));
        var chunk = Chunk(text, out var words);
        Assert.Equal(3, words.Length);
        await scorer.ScoreAsync([chunk], TestContext.Current.CancellationToken);
        Assert.All(chunk.Probabilities.ToArray(), p => Assert.InRange(p, 1e-6f, 1f - 1e-6f));
    }

    [Fact]
    public async Task RowsFollowASmallerPositionTable()
    {
        using var model = new BertForTokenClassification(TinyBert.Config with { MaxPositionEmbeddings = 64 });
        using var scorer = new TokenClassifierScorer(model, TinyBert.Vocabulary);
        Assert.Equal(62, scorer.MaxChunkTokens);
        var chunk = Chunk(LongText(30), out _); // hundreds of pieces: several rows of at most 62 + 2
        await scorer.ScoreAsync([chunk], TestContext.Current.CancellationToken);
        Assert.All(chunk.Probabilities.ToArray(), p => Assert.InRange(p, 0f, 1f));
    }
}

/// <summary>
/// Runs alone: its working-set guard is process-wide, and tests running beside it (mBERT-sized vocabularies and
/// embeddings) would move the working set by more than a leak would.
/// </summary>
[CollectionDefinition(nameof(MemoryFlatCollection), DisableParallelization = true)]
public sealed class MemoryFlatCollection;

[Collection(nameof(MemoryFlatCollection))]
public sealed class TokenClassifierScorerMemoryTests
{
    private static WordScoringChunk Chunk(string text, out WordSpan[] words)
    {
        var list = new List<WordSpan>();
        WordSplitter.Split(text, list);
        words = list.ToArray();
        return new WordScoringChunk(text, words, new float[words.Length]);
    }

    [Fact]
    public async Task TenThousandCallsKeepLiveTensorsAndMemoryFlat()
    {
        using var model = TinyBert.Create();
        using var scorer = new TokenClassifierScorer(model, TinyBert.Vocabulary);
        var chunk = Chunk("the cat sat on the mat.", out _);
        for (int i = 0; i < 200; i++)
        {
            await scorer.ScoreAsync([chunk], TestContext.Current.CancellationToken);
        }
        long liveBefore = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        GC.Collect();
        long rssBefore = Environment.WorkingSet;
        for (int i = 0; i < 10_000; i++)
        {
            await scorer.ScoreAsync([chunk], TestContext.Current.CancellationToken);
        }
        GC.Collect();
        Assert.Equal(liveBefore, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        // The live count catches any leaked tensor; the working set is a coarse guard for native memory
        // (a call's dozens of intermediates, leaked, would add hundreds of MiB over 10,000 calls).
        long growth = Environment.WorkingSet - rssBefore;
        Assert.True(growth < 64L << 20, $"working set grew by {growth >> 20} MiB");
    }
}
