using ContextPress.Scoring;
using ContextPress.Tests.TestSupport;
using ContextPress.Text;

namespace ContextPress.Tests.Scoring;

public class StatisticalTokenScorerTests
{
    private static Dictionary<string, float> Score(string text, string? question = null)
    {
        var words = new List<WordSpan>();
        WordSplitter.Split(text, words);
        var probabilities = new float[words.Count];
        StatisticalTokenScorer.Default.Score(new WordScoringChunk(text, words.ToArray(), probabilities, question));
        var byWord = new Dictionary<string, float>();
        for (int i = 0; i < words.Count; i++)
        {
            byWord.TryAdd(words[i].Core(text).ToString(), probabilities[i]);
        }

        return byWord;
    }

    [Fact]
    public void Identifiers_NamesAndNumbers_OutscoreFunctionWords()
    {
        Dictionary<string, float> p = Score("Then the agent sent the code UM3OG5 to Margaret Thatcher with 1,250 apples and a call_4f2 of it.");
        foreach (string important in new[] { "UM3OG5", "Thatcher", "1,250", "call_4f2" })
        {
            foreach (string function in new[] { "the", "to", "with", "and", "a", "of", "it" })
            {
                Assert.True(p[important] > p[function], $"{important} ({p[important]}) should outscore {function} ({p[function]})");
            }
        }

        Assert.True(p["Thatcher"] > p["apples"]);
        Assert.All(p.Values, v => Assert.InRange(v, 0f, 1f));
    }

    [Fact]
    public void RareWords_OutscoreCommonWords()
    {
        Dictionary<string, float> p = Score("the people said that phosphodiesterase inhibitors matter");
        Assert.True(p["phosphodiesterase"] > p["people"]);
        Assert.True(p["people"] > p["the"]);
    }

    [Fact]
    public void MultiWordNames_ScoreTheirConnectingWordsAsTheName()
    {
        Dictionary<string, float> p = Score("He met Charles, Prince of Wales, and they talked of nothing.");
        Assert.True(p["of"] > 0.5f, "the 'of' inside 'Prince of Wales' carries the name");
        Dictionary<string, float> plain = Score("They talked of nothing at all.");
        Assert.True(plain["of"] < 0.2f);
    }

    [Fact]
    public async Task Scoring_IsDeterministic_AndThreadSafe()
    {
        string text = SampleTexts.Prose(2000) + SampleTexts.MixedScripts;
        var words = new List<WordSpan>();
        WordSplitter.Split(text, words);
        WordSpan[] array = words.ToArray();
        float[] expected = new float[array.Length];
        await StatisticalTokenScorer.Default.ScoreAsync([new WordScoringChunk(text, array, expected)], cancellationToken: TestContext.Current.CancellationToken);
        float[][] results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            var scorer = new StatisticalTokenScorer(ContextPress.Tokens.TiktokenTokenCounter.O200k);
            float[] probabilities = new float[array.Length];
            await scorer.ScoreAsync([new WordScoringChunk(text, array, probabilities)], cancellationToken: TestContext.Current.CancellationToken);
            return probabilities;
        })));
        Assert.All(results, r => Assert.Equal(expected, r));
    }

    [Fact]
    public void Question_RaisesTheSentencesThatShareItsRareWords()
    {
        string text = "The first Nobel Prize in Physics went to Wilhelm Röntgen. Bananas are yellow fruit grown in Ecuador.";
        Dictionary<string, float> plain = Score(text);
        Dictionary<string, float> asked = Score(text, "who got the first nobel prize in physics");
        Assert.True(asked["Röntgen"] > plain["Röntgen"]);
        Assert.Equal(plain["Bananas"], asked["Bananas"]);
    }

    [Fact]
    public void Fingerprint_NamesScorerAndVocabulary()
    {
        Assert.Equal("statistical/v1/o200k_base", StatisticalTokenScorer.Default.Fingerprint);
        Assert.Equal(0, StatisticalTokenScorer.Default.MaxChunkTokens);
    }
}
