using System.Text.Json;
using ContextPress.Classifier;
using static TorchSharp.torch;

namespace ContextPress.Classifier.Tests;

/// <summary>
/// Parity with Hugging Face transformers on fixtures made by <c>parity/make_bert_fixtures.py</c> (a tiny random BERT
/// and its vocab.txt) and <c>parity/make_xlmr_fixtures.py</c> (a tiny random XLM-R and a SentencePiece Unigram model
/// trained offline): transformers' input ids and P(keep) per text, and one padded batch. Each fixture skips until it is
/// generated on a machine with PyTorch and committed (see the classifier's README, "Parity runs on the GPU machine").
/// </summary>
public sealed class ParityTests
{
    private const double Tolerance = 1e-4;

    internal static string? FixtureDirectory(string name)
    {
        var dir = Path.Combine(AppContext.BaseDirectory, "Fixtures", name);
        return File.Exists(Path.Combine(dir, "expected.json")) ? dir : null;
    }

    internal static ITokenClassifierVocabulary LoadVocabulary(string dir) =>
        BertConfig.Load(dir).IsRoberta ? SentencePieceVocabulary.Load(dir) : WordPieceVocabulary.Load(dir);

    [Theory]
    [InlineData("bert-tiny", "make_bert_fixtures.py")]
    [InlineData("xlmr-tiny", "make_xlmr_fixtures.py")]
    public void InputIdsAndKeepProbabilitiesMatchTransformers(string fixture, string script)
    {
        var dir = FixtureDirectory(fixture);
        Assert.SkipWhen(dir is null, $"Fixtures/{fixture} is absent: run parity/{script} where PyTorch is");
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir!, "expected.json")));
        var vocabulary = LoadVocabulary(dir!);
        using var model = TokenClassificationModel.FromPretrained(dir!);
        foreach (var c in json.RootElement.GetProperty("cases").EnumerateArray())
        {
            string text = c.GetProperty("text").GetString()!;
            long[] expectedIds = Longs(c.GetProperty("input_ids"));
            long[] ids = [vocabulary.ClsId, .. vocabulary.Tokenize(text).Select(p => (long)p.Id), vocabulary.SepId];
            Assert.Equal(expectedIds, ids);

            float[] keep = KeepProbabilities(model, [ids], [Enumerable.Repeat(1L, ids.Length).ToArray()])[0];
            AssertClose(Floats(c.GetProperty("keep_probs")), keep, ids.Length, $"'{text}'");
        }
    }

    [Theory]
    [InlineData("bert-tiny", "make_bert_fixtures.py")]
    [InlineData("xlmr-tiny", "make_xlmr_fixtures.py")]
    public void PaddedBatchMatchesTransformersOnActivePositions(string fixture, string script)
    {
        var dir = FixtureDirectory(fixture);
        Assert.SkipWhen(dir is null, $"Fixtures/{fixture} is absent: run parity/{script} where PyTorch is");
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir!, "expected.json")));
        using var model = TokenClassificationModel.FromPretrained(dir!);
        var batch = json.RootElement.GetProperty("batch");
        long[][] ids = batch.GetProperty("input_ids").EnumerateArray().Select(Longs).ToArray();
        long[][] mask = batch.GetProperty("attention_mask").EnumerateArray().Select(Longs).ToArray();
        Assert.Contains(mask, row => row.Contains(0L)); // the fixture really pads a row
        float[][] expected = batch.GetProperty("keep_probs").EnumerateArray().Select(Floats).ToArray();

        float[][] keep = KeepProbabilities(model, ids, mask);
        for (int r = 0; r < ids.Length; r++)
        {
            AssertClose(expected[r], keep[r], (int)mask[r].Sum(), $"batch row {r}");
        }
    }

    private static float[][] KeepProbabilities(TokenClassificationModel model, long[][] ids, long[][] mask)
    {
        using var scope = NewDisposeScope();
        int width = ids[0].Length;
        var logits = model.forward(
            tensor(ids.SelectMany(r => r).ToArray(), [ids.Length, width]),
            tensor(mask.SelectMany(r => r).ToArray(), [ids.Length, width]));
        float[] flat = logits.softmax(-1)[TensorIndex.Ellipsis, 1].contiguous().data<float>().ToArray();
        return Enumerable.Range(0, ids.Length).Select(r => flat.AsSpan(r * width, width).ToArray()).ToArray();
    }

    /// <summary>Compares the first <paramref name="active"/> positions (the unpadded ones) to 1e-4.</summary>
    private static void AssertClose(float[] expected, float[] actual, int active, string what)
    {
        Assert.True(expected.Length >= active, $"{what}: transformers gave {expected.Length} positions, {active} expected");
        for (int i = 0; i < active; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= Tolerance, $"{what} position {i}: {actual[i]} vs transformers {expected[i]}");
        }
    }

    private static long[] Longs(JsonElement array) => array.EnumerateArray().Select(e => e.GetInt64()).ToArray();

    private static float[] Floats(JsonElement array) => array.EnumerateArray().Select(e => e.GetSingle()).ToArray();
}
