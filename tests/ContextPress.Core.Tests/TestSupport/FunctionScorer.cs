using ContextPress.Scoring;
using ContextPress.Tokens;

namespace ContextPress.Tests.TestSupport;

/// <summary>
/// A deterministic <see cref="ITokenScorer"/> for selection tests: a word's probability is a function of its text,
/// and every call is recorded so tests can check chunking.
/// </summary>
internal sealed class FunctionScorer(Func<string, float> probability, int maxChunkTokens = 0) : ITokenScorer
{
    public List<(int Words, string Text)> Chunks { get; } = [];

    public string Fingerprint => "test";

    public int MaxChunkTokens => maxChunkTokens;

    public ITokenCounter? ChunkTokenCounter => null;

    public ValueTask ScoreAsync(IReadOnlyList<WordScoringChunk> chunks, CancellationToken cancellationToken = default)
    {
        foreach (WordScoringChunk chunk in chunks)
        {
            Chunks.Add((chunk.Words.Length, chunk.Text[chunk.TextRange]));
            for (int w = 0; w < chunk.Words.Length; w++)
            {
                chunk.Probabilities.Span[w] = probability(chunk.Words.Span[w].Core(chunk.Text).ToString());
            }
        }

        return ValueTask.CompletedTask;
    }
}
