namespace ContextPress.Predictor.Scoring;

/// <summary>Settings of a <see cref="CausalLmScorer"/>.</summary>
public sealed record CausalLmScorerOptions
{
    /// <summary>
    /// A name for the model (a checkpoint directory or file name) that goes into <see cref="CausalLmScorer.Fingerprint"/>
    /// next to a digest of the config and weights; null uses <c>model_type</c>.
    /// </summary>
    public string? ModelName { get; init; }

    /// <summary>Largest chunk, in the model's tokens, scored in one sequence (also capped by the model's context).</summary>
    public int MaxChunkTokens { get; init; } = 512;

    /// <summary>Most question tokens used for conditioning; longer questions keep their first tokens.</summary>
    public int MaxQuestionTokens { get; init; } = 64;

    /// <summary>
    /// Weight of LongLLMLingua's contrastive term when a chunk carries a question: a word's information becomes
    /// <c>s + QuestionWeight · (s − s|q)</c>, where <c>s</c> is its surprisal and <c>s|q</c> its surprisal with the
    /// question prepended. 0 ignores questions (one forward pass per chunk instead of two).
    /// </summary>
    public float QuestionWeight { get; init; } = 1f;

    /// <summary>Sequences per forward pass (left-padded batch); bounds the [batch, tokens, vocab] logits held at once.</summary>
    public int MaxBatchSize { get; init; } = 4;

    /// <summary>Throws when a setting is out of range.</summary>
    /// <returns>This instance.</returns>
    public CausalLmScorerOptions Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxChunkTokens, 8);
        ArgumentOutOfRangeException.ThrowIfNegative(MaxQuestionTokens);
        ArgumentOutOfRangeException.ThrowIfNegative(QuestionWeight);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBatchSize, 1);
        return this;
    }
}
