namespace ContextPress.Predictor.Generation;

/// <summary>How <see cref="TokenGenerator"/> picks and stops.</summary>
public sealed record GenerationOptions
{
    /// <summary>Most tokens to generate.</summary>
    public int MaxNewTokens { get; init; } = 256;

    /// <summary>0 for greedy (argmax); otherwise logits are divided by it before sampling.</summary>
    public float Temperature { get; init; }

    /// <summary>Nucleus sampling: keep the smallest set of tokens whose probability reaches this (1 = all).</summary>
    public float TopP { get; init; } = 1f;

    /// <summary>Seed for sampling; null for a nondeterministic one.</summary>
    public long? Seed { get; init; }

    /// <summary>Token ids that end generation; the stop token is not yielded.</summary>
    public IReadOnlyCollection<int> StopTokenIds { get; init; } = [];
}
