using ContextPress.Benchmarks;
using ContextPress.Compression;
using ContextPress.Scoring;
using ContextPress.Tokens;

namespace ContextPress.Evals.Research;

/// <summary>Retention of one data set with one method at one rate.</summary>
internal sealed record RetentionPoint(string DataSet, string Method, double Rate, int Examples, double Retention, double AchievedRate);

/// <summary>
/// Answer / supporting-fact retention against rate on the research-data sets (NQ-open oracle, HotpotQA supporting facts,
/// the GSM8K CoT prompt, kv-retrieval), for every scorer available (today only the embedded <see cref="StatisticalTokenScorer"/>).
/// The data sets and scoring are <c>evals/ContextPress.Benchmarks/RetentionDatasets.cs</c>, linked into this project.
/// </summary>
internal static class PromptRetention
{
    public static IReadOnlyList<(string Name, ITokenScorer Scorer)> Scorers { get; } = [("StatisticalTokenScorer", StatisticalTokenScorer.Default)];

    public static async Task<List<RetentionPoint>> RunAsync(string dataDirectory, IReadOnlyList<double> rates, int limit, ITokenCounter counter, CancellationToken cancellationToken)
    {
        var sets = new (string Name, List<RetentionExample> Examples)[]
        {
            ("NQ-open oracle", RetentionDatasets.NaturalQuestions(dataDirectory, limit)),
            ("HotpotQA supporting facts", RetentionDatasets.HotpotQa(dataDirectory, limit)),
            ("GSM8K CoT prompt numbers", RetentionDatasets.Gsm8kPrompt(dataDirectory)),
            ("kv-retrieval (75 keys)", RetentionDatasets.KvRetrieval(dataDirectory, Math.Max(10, limit / 5))),
        };
        var points = new List<RetentionPoint>();
        foreach ((string scorerName, ITokenScorer scorer) in Scorers)
        {
            var compressor = new PromptCompressor(scorer, counter);
            foreach ((string name, List<RetentionExample> examples) in sets)
            {
                foreach (double rate in rates)
                {
                    points.Add(await MeasureAsync(name, scorerName, examples, rate, counter, e => compressor.CompressAsync(e.Context, new PromptCompressionOptions { Rate = rate, IncludeWordLabels = false }, cancellationToken)).ConfigureAwait(false));
                    points.Add(await MeasureAsync(name, scorerName + ", digits not forced", examples, rate, counter, e => compressor.CompressAsync(e.Context, new PromptCompressionOptions { Rate = rate, ForceReserveDigit = false, IncludeWordLabels = false }, cancellationToken)).ConfigureAwait(false));
                    if (examples.Any(e => e.Question is not null))
                    {
                        points.Add(await MeasureAsync(name, scorerName + " + question", examples, rate, counter, e => compressor.CompressAsync(e.Context, new PromptCompressionOptions { Rate = rate, Question = e.Question, IncludeWordLabels = false }, cancellationToken)).ConfigureAwait(false));
                    }
                }
            }
        }

        return points;
    }

    private static async Task<RetentionPoint> MeasureAsync(string set, string method, List<RetentionExample> examples, double rate, ITokenCounter counter, Func<RetentionExample, ValueTask<PromptCompressionResult>> compress)
    {
        double retained = 0;
        long before = 0;
        long after = 0;
        foreach (RetentionExample example in examples)
        {
            PromptCompressionResult result = await compress(example).ConfigureAwait(false);
            retained += RetentionDatasets.Score(example, result.Text);
            before += counter.CountTokens(example.Context);
            after += counter.CountTokens(result.Text);
        }

        return new RetentionPoint(set, method, rate, examples.Count, examples.Count == 0 ? 0 : retained / examples.Count, before == 0 ? 0 : (double)after / before);
    }
}
