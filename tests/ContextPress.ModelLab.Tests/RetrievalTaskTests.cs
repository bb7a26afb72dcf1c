using System.Text;
using ContextPress.Predictor;

namespace ContextPress.ModelLab.Tests;

public sealed class RetrievalTaskTests
{
    private static string Text(IReadOnlyList<int> prompt) => Encoding.UTF8.GetString(prompt.Skip(1).Select(t => (byte)t).ToArray());

    [Fact]
    public void Prompts_plant_the_fact_at_spread_depths_and_controls_leave_it_out()
    {
        var documents = ByteCorpus.ReadDocuments(ShippedModel.HeldOutPath);

        var (withFact, control) = RetrievalTask.Build(documents, new RetrievalOptions { Cases = 9, ContextLength = 200 });

        Assert.Equal(9, withFact.Count);
        Assert.Equal(9, control.Count);
        Assert.Equal(0.0, withFact[0].Depth);
        Assert.Equal(1.0, withFact[^1].Depth);
        foreach (var (item, blank) in withFact.Zip(control))
        {
            Assert.Equal(200, item.Prompt.Count);
            Assert.Equal(200, blank.Prompt.Count);
            Assert.Equal(ByteCorpus.BosTokenId, item.Prompt[0]);
            var text = Text(item.Prompt);
            var question = text[(text.LastIndexOf('\n') + 1)..];
            Assert.StartsWith("The code of ", question, StringComparison.Ordinal);
            Assert.EndsWith(" is ", question, StringComparison.Ordinal);
            Assert.Contains(question + item.Expected + ".\n", text, StringComparison.Ordinal);
            Assert.DoesNotContain(question + blank.Expected, Text(blank.Prompt), StringComparison.Ordinal);
            Assert.Matches("^[0-9]{4}$", item.Expected);
        }
        // Deeper facts sit later in the prompt.
        var positions = withFact.Select(c => Text(c.Prompt).IndexOf("The code of ", StringComparison.Ordinal)).ToArray();
        Assert.True(positions[0] < positions[4] && positions[4] < positions[^1], string.Join(",", positions));
    }

    [Fact]
    public void Evaluation_scores_greedy_digit_continuations_against_the_code()
    {
        using var model = CausalLM.FromPretrained(ShippedModel.Directory);
        var (withFact, _) = RetrievalTask.Build(ByteCorpus.ReadDocuments(ShippedModel.HeldOutPath), new RetrievalOptions { Cases = 4 });

        var result = RetrievalTask.Evaluate(model, withFact);
        // Asking for the model's own continuation as the expected code must score 100 %.
        var own = withFact.Select(c => c with { Expected = Continuation(model, c) }).ToArray();
        var perfect = RetrievalTask.Evaluate(model, own);

        Assert.Equal(4, result.Cases);
        Assert.InRange(result.DigitAccuracy, 0, 1);
        Assert.Equal(1.0, perfect.Accuracy);
        Assert.Equal(1.0, perfect.DigitAccuracy);
        Assert.All(own, c => Assert.Matches("^[0-9]{4}$", c.Expected));
    }

    private static string Continuation(CausalLM model, RetrievalCase item)
    {
        var ids = item.Prompt.ToList();
        var digits = new StringBuilder();
        for (var i = 0; i < item.Expected.Length; i++)
        {
            var logits = model.ComputeLogits(ids)[^1];
            var best = Enumerable.Range('0', 10).MaxBy(d => logits[d]);
            digits.Append((char)best);
            ids.Add(best);
        }
        return digits.ToString();
    }
}
