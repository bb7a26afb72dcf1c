using System.Text.Json;
using ContextPress.Classifier;
using static TorchSharp.torch;

namespace ContextPress.Classifier.Tests;

/// <summary>
/// Parity with Hugging Face transformers on fixtures made by <c>parity/make_bert_fixtures.py</c> (a tiny random
/// BERT, its vocab, and transformers' input ids and P(keep)). Skips until the fixtures are generated on a machine
/// with PyTorch and committed.
/// </summary>
public sealed class ParityTests
{
    private static string? FixtureDirectory()
    {
        var dir = Path.Combine(AppContext.BaseDirectory, "Fixtures", "bert-tiny");
        return File.Exists(Path.Combine(dir, "expected.json")) ? dir : null;
    }

    [Fact]
    public void InputIdsAndKeepProbabilitiesMatchTransformers()
    {
        var dir = FixtureDirectory();
        Assert.SkipWhen(dir is null, "Fixtures/bert-tiny is absent: run parity/make_bert_fixtures.py where PyTorch is");
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir!, "expected.json")));
        var vocabulary = WordPieceVocabulary.Load(dir!);
        using var model = BertForTokenClassification.FromPretrained(dir!);
        foreach (var c in json.RootElement.GetProperty("cases").EnumerateArray())
        {
            string text = c.GetProperty("text").GetString()!;
            long[] expectedIds = c.GetProperty("input_ids").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            long[] ids = [vocabulary.ClsId, .. vocabulary.Tokenize(text).Select(p => (long)p.Id), vocabulary.SepId];
            Assert.Equal(expectedIds, ids);

            using var scope = NewDisposeScope();
            var logits = model.forward(tensor(ids, [1, ids.Length]), ones(1, ids.Length, dtype: ScalarType.Int64));
            float[] keep = logits.softmax(-1)[0, TensorIndex.Colon, 1].data<float>().ToArray();
            float[] expected = c.GetProperty("keep_probs").EnumerateArray().Select(e => e.GetSingle()).ToArray();
            Assert.Equal(expected.Length, keep.Length);
            for (int i = 0; i < keep.Length; i++)
            {
                Assert.True(Math.Abs(expected[i] - keep[i]) <= 1e-4, $"'{text}' position {i}: {keep[i]} vs transformers {expected[i]}");
            }
        }
    }
}
