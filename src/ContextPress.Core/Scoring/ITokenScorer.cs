namespace ContextPress.Scoring;

/// <summary>
/// Gives each word of a text the probability that it should be kept, as LLMLingua-2's token classifier does.
/// Implementations: <see cref="StatisticalTokenScorer"/> (embedded CPU default), model scorers in other packages.
/// </summary>
/// <remarks>Implementations are thread-safe; one instance serves all calls.</remarks>
public interface ITokenScorer
{
    /// <summary>
    /// Gets a string that changes whenever the scorer's output could change (name, version, model, settings);
    /// caches of compressed text key on it.
    /// </summary>
    string Fingerprint { get; }

    /// <summary>
    /// Gets the largest chunk, in tokens of <see cref="ChunkTokenCounter"/> (or the compressor's counter when null),
    /// that the scorer reads at once; 0 when it takes any length. The compressor cuts longer inputs at sentence ends.
    /// </summary>
    int MaxChunkTokens { get; }

    /// <summary>Gets the counter whose tokens <see cref="MaxChunkTokens"/> is measured in, or null for the compressor's counter.</summary>
    Tokens.ITokenCounter? ChunkTokenCounter { get; }

    /// <summary>Scores the words of a batch of chunks, writing one probability in [0, 1] per word.</summary>
    /// <param name="chunks">The chunks; a model scorer runs them as one batch.</param>
    /// <param name="cancellationToken">Cancels the scoring.</param>
    /// <returns>A task that completes when every chunk's probabilities are written.</returns>
    ValueTask ScoreAsync(IReadOnlyList<WordScoringChunk> chunks, CancellationToken cancellationToken = default);
}
