using ContextPress.Classifier;
using ContextPress.Torch.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace ContextPress.Classifier.Tests;

public sealed class XLMRobertaTests
{
    [Fact]
    public void SentencePieceIdsFollowTheFairseqOffset()
    {
        var vocab = TinyXlmr.Vocabulary;
        var pieces = vocab.Tokenize("the cats sat on Paris, 12!");
        Assert.Equal(["\u2581the", "\u2581cat", "s", "\u2581sat", "\u2581on", "\u2581Paris", ",", "\u2581", "1", "2", "!"], pieces.Select(p => p.Piece));
        Assert.All(pieces, p => Assert.Equal(TinyXlmr.SpmId(p.Piece) + 1, p.Id)); // HF id = spm id + 1

        // fairseq specials first, <mask> last; the SentencePiece <unk> (spm 0) maps to 3.
        Assert.Equal((0, 1, 2, 3), (vocab.ClsId, vocab.PadId, vocab.SepId, vocab.UnkId));
        Assert.Equal(TinyXlmr.SpmSize + 2, vocab.Count);
        Assert.Equal(TinyXlmr.SpmSize + 1, vocab.MaskId);
        Assert.Equal(0, vocab.TokenToId("<s>"));
        Assert.Equal(1, vocab.TokenToId("<pad>"));
        Assert.Equal(2, vocab.TokenToId("</s>"));
        Assert.Equal(vocab.MaskId, vocab.TokenToId("<mask>"));
        Assert.Equal(TinyXlmr.SpmId("\u2581cat") + 1, vocab.TokenToId("\u2581cat"));
        Assert.Equal(3, vocab.TokenToId("[CLS]")); // not in XLM-R: what the reference's TokenClfDataset gets (note A.5)
        Assert.Equal(3, vocab.Tokenize("€").Single(p => p.Piece != "\u2581").Id);
        Assert.Equal(pieces.Count, vocab.CountTokens("the cats sat on Paris, 12!"));
    }

    [Fact]
    public void SentencePieceOffsetsPlaceEachPieceInTheText()
    {
        const string text = "Paris, the cats";
        var pieces = TinyXlmr.Vocabulary.TokenizeAligned(text, out bool aligned);
        Assert.True(aligned);
        Assert.Equal([0, 5, 7, 11, 14], pieces.Select(p => p.Start));

        TinyXlmr.Vocabulary.TokenizeAligned("the  cat", out aligned); // folded double space: positions move
        Assert.False(aligned);
    }

    [Fact]
    public void LoadsFromADirectoryWithTheModelFile()
    {
        var dir = Directory.CreateTempSubdirectory("cp-spm-").FullName;
        try
        {
            var missing = Assert.Throws<FileNotFoundException>(() => SentencePieceVocabulary.Load(dir));
            Assert.Contains("sentencepiece.bpe.model", missing.Message, StringComparison.Ordinal);
            File.WriteAllBytes(Path.Combine(dir, SentencePieceVocabulary.ModelFileName), TinyXlmr.ModelBytes);
            Assert.Equal(TinyXlmr.Vocabulary.Identity, SentencePieceVocabulary.Load(dir).Identity);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void StateDictUsesHuggingFaceRobertaNames()
    {
        using var model = TinyXlmr.Create();
        var keys = model.state_dict().Keys.ToHashSet();
        Assert.Contains("roberta.embeddings.word_embeddings.weight", keys);
        Assert.Contains("roberta.encoder.layer.1.attention.self.query.weight", keys);
        Assert.Contains("roberta.encoder.layer.0.output.LayerNorm.bias", keys);
        Assert.Contains("classifier.weight", keys);
        Assert.Equal(5 + (2 * 16) + 2, keys.Count);
        Assert.Equal([1L, 32L], model.state_dict()["roberta.embeddings.token_type_embeddings.weight"].shape);
        Assert.Equal(64, model.Config.MaxSequenceLength); // 66 rows, numbered from pad + 1 = 2
    }

    [Fact]
    public void EqualsBertWithPositionsShiftedPastThePaddingIndex()
    {
        // XLM-R's layers are BERT's; only positions differ: real tokens are numbered from pad_token_id + 1 = 2.
        // So a BERT holding the same weights, with position row k = XLM-R's row k + 2, must give the same logits
        // (BERT itself is checked against a hand-written forward in BertForTokenClassificationTests).
        using var xlmr = TinyXlmr.Create();
        using var bert = new BertForTokenClassification(TinyXlmr.Config with { ModelType = "bert" });
        using (no_grad())
        {
            var source = xlmr.state_dict();
            foreach (var (name, p) in bert.state_dict())
            {
                var from = source[name.Replace("bert.", "roberta.", StringComparison.Ordinal)];
                if (name.EndsWith("position_embeddings.weight", StringComparison.Ordinal))
                {
                    p.zero_();
                    p[TensorIndex.Slice(0, 64)].copy_(from[TensorIndex.Slice(2, 66)]);
                }
                else
                {
                    p.copy_(from);
                }
            }
        }

        using var scope = NewDisposeScope();
        long[] row = [0, 10, 11, 12, 13, 14, 15, 2];
        var ids = tensor(row, [1, row.Length]);
        var mask = ones(1, row.Length, dtype: ScalarType.Int64);
        float diff = (xlmr.forward(ids, mask) - bert.forward(ids, mask)).abs().max().item<float>();
        Assert.True(diff < 1e-5f, $"max |diff| {diff}");

        // And the shift matters: unshifted positions give other logits.
        using var unshifted = new BertForTokenClassification(TinyXlmr.Config with { ModelType = "bert" });
        using (no_grad())
        {
            var source = xlmr.state_dict();
            foreach (var (name, p) in unshifted.state_dict())
            {
                p.copy_(source[name.Replace("bert.", "roberta.", StringComparison.Ordinal)]);
            }
        }
        Assert.True((xlmr.forward(ids, mask) - unshifted.forward(ids, mask)).abs().max().item<float>() > 1e-3f);
    }

    [Fact]
    public void PaddingDoesNotChangeRealTokens()
    {
        using var model = TinyXlmr.Create();
        using var scope = NewDisposeScope();
        long[] row = [0, 10, 11, 12, 2];
        var alone = model.forward(tensor(row, [1, 5]), ones(1, 5, dtype: ScalarType.Int64));
        var padded = model.forward(tensor(row.Concat([1L, 1L, 1L]).ToArray(), [1, 8]), tensor(new long[] { 1, 1, 1, 1, 1, 0, 0, 0 }, [1, 8]));
        float diff = (alone - padded[TensorIndex.Colon, TensorIndex.Slice(0, 5)]).abs().max().item<float>();
        Assert.True(diff < 1e-5f, $"max |diff| {diff}");
    }

    [Fact]
    public void FromPretrainedPicksTheClassFromModelType()
    {
        using var model = TinyXlmr.Create();
        using var positionIds = arange(66, dtype: ScalarType.Int64).unsqueeze(0);
        var dir = TinyXlmr.SaveToDirectory(model, new Dictionary<string, Tensor> { ["roberta.embeddings.position_ids"] = positionIds });
        try
        {
            using var loaded = TokenClassificationModel.FromPretrained(dir);
            Assert.IsType<XLMRobertaForTokenClassification>(loaded);
            using var scope = NewDisposeScope();
            long[] row = [0, 10, 11, 12, 2];
            var ids = tensor(row, [1, 5]);
            var mask = ones(1, 5, dtype: ScalarType.Int64);
            Assert.Equal(0f, (loaded.forward(ids, mask) - model.forward(ids, mask)).abs().max().item<float>());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }

        using var bert = TinyBert.Create();
        var bertDir = TinyBert.SaveToDirectory(bert);
        try
        {
            using var loaded = TokenClassificationModel.FromPretrained(bertDir);
            Assert.IsType<BertForTokenClassification>(loaded);
        }
        finally
        {
            Directory.Delete(bertDir, recursive: true);
        }
    }

    [Fact]
    public void ABertCheckpointIsNotAnXlmrOne()
    {
        using var bert = new BertForTokenClassification(TinyXlmr.Config with { ModelType = "bert" });
        using var checkpoint = new TensorDictionaryCheckpoint(bert.state_dict());
        var error = Assert.Throws<CheckpointMismatchException>(() => XLMRobertaForTokenClassification.FromCheckpoint(TinyXlmr.Config, checkpoint));
        Assert.Contains("roberta.embeddings.word_embeddings.weight", error.Message, StringComparison.Ordinal);

        Assert.Throws<ArgumentException>(() => new BertForTokenClassification(TinyXlmr.Config));
        Assert.Throws<ArgumentException>(() => new XLMRobertaForTokenClassification(TinyBert.Config));
        var unsupported = Assert.Throws<InvalidDataException>(() => BertConfig.Parse(TinyXlmr.ConfigJson().Replace("xlm-roberta", "gpt2", StringComparison.Ordinal)));
        Assert.Contains("gpt2", unsupported.Message, StringComparison.Ordinal);
    }
}

public sealed class TokenizerJsonTests
{
    /// <summary>The tiny model as a Hugging Face fast tokenizer would save it: HF id order, Unigram, a normalizer sequence.</summary>
    private static string TokenizerJson()
    {
        var vocab = new List<object[]> { new object[] { "<s>", 0.0 }, new object[] { "<pad>", 0.0 }, new object[] { "</s>", 0.0 }, new object[] { "<unk>", 0.0 } };
        vocab.AddRange(TinyXlmr.Pieces.Select(p => new object[] { p.Piece, (double)p.Score }));
        vocab.Add(["<mask>", 0.0]);
        return System.Text.Json.JsonSerializer.Serialize(new
        {
            version = "1.0",
            normalizer = new { type = "Sequence", normalizers = new object[] { new { type = "Replace", pattern = new { Regex = " {2,}" }, content = " " } } },
            pre_tokenizer = new { type = "Metaspace", replacement = "\u2581", prepend_scheme = "always", split = true },
            model = new { type = "Unigram", unk_id = 3, vocab, byte_fallback = false },
        });
    }

    [Fact]
    public void ATokenizerJsonGivesTheSameIdsAsTheSentencePieceModel()
    {
        var dir = Directory.CreateTempSubdirectory("cp-hfjson-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, SentencePieceVocabulary.TokenizerJsonFileName), TokenizerJson());
            var fromJson = SentencePieceVocabulary.Load(dir); // no sentencepiece.bpe.model here
            var fromModel = TinyXlmr.Vocabulary;
            Assert.Equal(fromModel.Count, fromJson.Count);
            Assert.Equal(fromModel.MaskId, fromJson.MaskId);
            Assert.Equal(fromModel.MaskId, fromJson.TokenToId("<mask>"));
            foreach (string text in new[] { "the cats sat on Paris, 12!", "Question: is France the capital?", "€ dog ran $5" })
            {
                Assert.Equal(fromModel.Tokenize(text), fromJson.Tokenize(text));
            }
            Assert.NotEqual(fromModel.Identity, fromJson.Identity);

            File.WriteAllText(Path.Combine(dir, SentencePieceVocabulary.TokenizerJsonFileName), """{"model": {"type": "BPE", "vocab": {}}}""");
            Assert.Throws<InvalidDataException>(() => SentencePieceVocabulary.Load(dir));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
