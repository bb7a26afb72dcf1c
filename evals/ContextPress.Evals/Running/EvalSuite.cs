using ContextPress.Compression;
using ContextPress.Evals.Methods;
using ContextPress.Evals.Tasks;
using ContextPress.History;
using ContextPress.Tokens;

namespace ContextPress.Evals.Running;

/// <summary>Which tasks, ratios and methods a run covers.</summary>
internal sealed record SuiteOptions(string Name, int InstancesPerFamily, IReadOnlyList<double> Ratios, int Seed = 0, int TriggerTokens = 2_000)
{
    public static SuiteOptions Smoke { get; } = new("smoke", 1, [0.5, 0.33]);

    public static SuiteOptions Full { get; } = new("full", 3, [0.67, 0.5, 0.33, 0.25]);
}

/// <summary>Runs every task of a suite with every method at every ratio.</summary>
internal static class EvalSuite
{
    public static IReadOnlyList<IHistoryMethod> CreateMethods(ITokenCounter counter)
    {
        var prompt = new PromptCompressor(Scoring.StatisticalTokenScorer.Default, counter);
        var compressor = new ContextCompressor(prompt);
        return
        [
            new NoCompression(),
            new KeepNewestTruncation(counter),
            new SkTruncationReducerMethod(counter),
            new TokenLevelMethod(prompt),
            new ContextPressMethod(compressor, withPlan: false),
            new ContextPressMethod(compressor, withPlan: true),
            new ContextPressPipelineMethod(new Observations.ObservationCompressor(prompt), compressor),
        ];
    }

    public static IEnumerable<(string Family, int Index)> Tasks(SuiteOptions options) =>
        from family in TaskFamilies.All
        from index in Enumerable.Range(0, options.InstancesPerFamily)
        select (family.Name, index);

    public static async Task<List<EpisodeRecord>> RunAsync(SuiteOptions options, IReadOnlyList<IHistoryMethod> methods, ITokenCounter counter, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        var runner = new EpisodeRunner(counter, options.TriggerTokens);
        var records = new List<EpisodeRecord>();
        foreach ((string family, int index) in Tasks(options))
        {
            foreach (IHistoryMethod method in methods)
            {
                // No compression does not depend on the ratio: run it once and file it under every ratio.
                IEnumerable<double> ratios = method is NoCompression ? [options.Ratios[0]] : options.Ratios;
                foreach (double ratio in ratios)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    EpisodeRecord record = await runner.RunAsync(family, index, options.Seed, method, ratio, cancellationToken).ConfigureAwait(false);
                    records.Add(record);
                    if (method is NoCompression)
                    {
                        records.AddRange(options.Ratios.Skip(1).Select(r => record with { Ratio = r }));
                    }

                    progress?.Report($"{family}#{index} · {method.Name} · {ratio:0.00}");
                }
            }
        }

        return records;
    }
}
