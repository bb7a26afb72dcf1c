using ContextPress.Classifier;
using ContextPress.Torch.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace ContextPress.Classifier.Tests;

public sealed class BertForTokenClassificationTests
{
    private static readonly long[] s_short = [2, 10, 11, 12, 13, 14, 3];
    private static readonly long[] s_long = [2, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 3];

    [Fact]
    public void StateDictUsesHuggingFaceNames()
    {
        using var model = TinyBert.Create();
        var keys = model.state_dict().Keys.ToHashSet();
        string[] expected =
        [
            "bert.embeddings.word_embeddings.weight", "bert.embeddings.position_embeddings.weight", "bert.embeddings.token_type_embeddings.weight",
            "bert.embeddings.LayerNorm.weight", "bert.embeddings.LayerNorm.bias",
            "bert.encoder.layer.0.attention.self.query.weight", "bert.encoder.layer.0.attention.self.key.bias", "bert.encoder.layer.0.attention.self.value.weight",
            "bert.encoder.layer.0.attention.output.dense.weight", "bert.encoder.layer.0.attention.output.LayerNorm.bias",
            "bert.encoder.layer.1.intermediate.dense.weight", "bert.encoder.layer.1.output.dense.bias", "bert.encoder.layer.1.output.LayerNorm.weight",
            "classifier.weight", "classifier.bias",
        ];
        foreach (var key in expected)
        {
            Assert.Contains(key, keys);
        }
        Assert.Equal(5 + (2 * 16) + 2, keys.Count); // no pooler, no persistent position_ids
        Assert.Equal([TinyBert.Config.LabelCount, 32L], model.state_dict()["classifier.weight"].shape);
    }

    [Fact]
    public void LogitsHaveBatchSequenceLabelShape()
    {
        using var model = TinyBert.Create();
        using var scope = NewDisposeScope();
        var (ids, mask) = Batch(s_short, s_long);
        var logits = model.forward(ids, mask);
        Assert.Equal([2L, 12L, 2L], logits.shape);
        Assert.Equal(ScalarType.Float32, logits.dtype);
        Assert.False(logits.requires_grad);
        Assert.False(logits.isnan().any().item<bool>());
    }

    [Fact]
    public void MatchesAHandWrittenForwardPass()
    {
        using var model = TinyBert.Create();
        using var scope = NewDisposeScope();
        var (ids, mask) = Batch(s_short, s_long);
        var actual = model.forward(ids, mask);
        var expected = ManualForward(model, ids, mask);
        // Compare only real (unpadded) positions.
        var real = mask.to_type(ScalarType.Bool).unsqueeze(-1).expand_as(actual);
        var diff = (actual - expected).abs().masked_fill(real.logical_not(), 0).max().item<float>();
        Assert.True(diff < 1e-4f, $"max |diff| {diff}");
    }

    [Fact]
    public void PaddingDoesNotChangeUnpaddedRows()
    {
        using var model = TinyBert.Create();
        using var scope = NewDisposeScope();
        var (aloneIds, aloneMask) = Batch(s_short);
        var alone = model.forward(aloneIds, aloneMask);
        var (ids, mask) = Batch(s_short, s_long);
        var batched = model.forward(ids, mask);
        var diff = (batched[0].narrow(0, 0, s_short.Length) - alone[0]).abs().max().item<float>();
        Assert.True(diff < 1e-5f, $"padding changed the short row by {diff}");

        // And the mask matters: attending to the padding instead changes the row.
        var unmasked = model.forward(ids, ones_like(mask));
        var changed = (unmasked[0].narrow(0, 0, s_short.Length) - alone[0]).abs().max().item<float>();
        Assert.True(changed > 1e-3f, "the attention mask had no effect");
    }

    [Fact]
    public void IsDeterministic()
    {
        using var model = TinyBert.Create();
        using var scope = NewDisposeScope();
        var (ids, mask) = Batch(s_short, s_long);
        var first = model.forward(ids, mask).data<float>().ToArray();
        var second = model.forward(ids, mask).data<float>().ToArray();
        Assert.Equal(first, second);

        using var again = TinyBert.Create();
        Assert.Equal(first, again.forward(ids, mask).data<float>().ToArray());
    }

    [Fact]
    public void FromPretrainedRoundTripsThroughSafetensors()
    {
        using var model = TinyBert.Create();
        using var extraScope = NewDisposeScope();
        // Older exports carry position_ids and a pooler; the mapping skips them.
        var extra = new Dictionary<string, Tensor>
        {
            ["bert.embeddings.position_ids"] = arange(512L).unsqueeze(0),
            ["bert.pooler.dense.weight"] = zeros(32, 32),
            ["bert.pooler.dense.bias"] = zeros(32),
        };
        var dir = TinyBert.SaveToDirectory(model, extra);
        try
        {
            using var loaded = BertForTokenClassification.FromPretrained(dir);
            Assert.False(loaded.training);
            var (ids, mask) = Batch(s_short, s_long);
            Assert.Equal(model.forward(ids, mask).data<float>().ToArray(), loaded.forward(ids, mask).data<float>().ToArray());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void StrictLoaderNamesAMissingTensor()
    {
        using var model = TinyBert.Create();
        const string missing = "bert.encoder.layer.1.output.dense.bias";
        var dir = TinyBert.SaveToDirectory(model, skip: missing);
        try
        {
            var e = Assert.Throws<CheckpointMismatchException>(() => BertForTokenClassification.FromPretrained(dir));
            Assert.Equal([missing], e.Missing);
            Assert.Contains(missing, e.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void StrictLoaderNamesAnUnexpectedTensor()
    {
        using var model = TinyBert.Create();
        var tensors = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        tensors["bert.encoder.layer.2.output.dense.bias"] = zeros(32);
        using var checkpoint = new TensorDictionaryCheckpoint(tensors);
        var e = Assert.Throws<CheckpointMismatchException>(() => BertForTokenClassification.FromCheckpoint(TinyBert.Config, checkpoint));
        Assert.Contains("bert.encoder.layer.2.output.dense.bias", e.Unexpected);
    }

    [Fact]
    public void ConfigReadsLabelsAndRejectsBadSizes()
    {
        Assert.Equal(2, TinyBert.Config.LabelCount);
        Assert.Equal(8, TinyBert.Config.HeadDim);
        Assert.Throws<InvalidDataException>(() => BertConfig.Parse("""{"vocab_size": 10, "hidden_size": 30, "num_attention_heads": 4}"""));
        Assert.Equal(3, BertConfig.Parse("""{"vocab_size": 10, "hidden_size": 32, "num_attention_heads": 4, "num_labels": 3}""").LabelCount);
    }

    internal static (Tensor Ids, Tensor Mask) Batch(params long[][] rows)
    {
        int longest = rows.Max(r => r.Length);
        var ids = new long[rows.Length * longest];
        var mask = new long[rows.Length * longest];
        for (int b = 0; b < rows.Length; b++)
        {
            rows[b].CopyTo(ids, b * longest);
            Array.Fill(mask, 1L, b * longest, rows[b].Length);
        }
        return (tensor(ids, [rows.Length, longest]), tensor(mask, [rows.Length, longest]));
    }

    /// <summary>BERT written out with explicit matrix products and a -inf additive mask, from the state dict.</summary>
    private static Tensor ManualForward(BertForTokenClassification model, Tensor ids, Tensor mask)
    {
        using var grad = no_grad();
        var w = model.state_dict();
        var config = model.Config;
        Tensor Lin(Tensor x, string prefix) => x.matmul(w[prefix + ".weight"].t()) + w[prefix + ".bias"];
        Tensor Norm(Tensor x, string prefix)
        {
            var mean = x.mean([-1L], keepdim: true);
            var variance = (x - mean).pow(2).mean([-1L], keepdim: true);
            return ((x - mean) / (variance + config.LayerNormEps).sqrt() * w[prefix + ".weight"]) + w[prefix + ".bias"];
        }

        long batch = ids.shape[0], seq = ids.shape[1], heads = config.NumAttentionHeads, dim = config.HeadDim;
        var x = w["bert.embeddings.word_embeddings.weight"].index_select(0, ids.flatten()).view(batch, seq, -1)
            + w["bert.embeddings.position_embeddings.weight"].narrow(0, 0, seq).unsqueeze(0)
            + w["bert.embeddings.token_type_embeddings.weight"][0];
        x = Norm(x, "bert.embeddings.LayerNorm");
        var additive = (1 - mask.to_type(ScalarType.Float32)).view(batch, 1, 1, seq) * -1e9f;
        for (int l = 0; l < config.NumHiddenLayers; l++)
        {
            string p = $"bert.encoder.layer.{l}";
            Tensor Split(Tensor t) => t.view(batch, seq, heads, dim).transpose(1, 2);
            var q = Split(Lin(x, p + ".attention.self.query"));
            var k = Split(Lin(x, p + ".attention.self.key"));
            var v = Split(Lin(x, p + ".attention.self.value"));
            var scores = (q.matmul(k.transpose(-1, -2)) / Math.Sqrt(dim)) + additive;
            var context = scores.softmax(-1).matmul(v).transpose(1, 2).reshape(batch, seq, -1);
            x = Norm(Lin(context, p + ".attention.output.dense") + x, p + ".attention.output.LayerNorm");
            var h = Lin(x, p + ".intermediate.dense");
            h = 0.5 * h * (1 + special.erf(h / Math.Sqrt(2)));
            x = Norm(Lin(h, p + ".output.dense") + x, p + ".output.LayerNorm");
        }
        return Lin(x, "classifier");
    }
}
