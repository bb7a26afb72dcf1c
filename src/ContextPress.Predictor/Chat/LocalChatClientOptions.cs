namespace ContextPress.Predictor.Chat;

/// <summary>Defaults of a <see cref="LocalChatClient"/>.</summary>
public sealed class LocalChatClientOptions
{
    /// <summary>Model id reported in responses and metadata.</summary>
    public string ModelId { get; init; } = "local";

    /// <summary>Reply length when <c>ChatOptions.MaxOutputTokens</c> is not set.</summary>
    public int DefaultMaxOutputTokens { get; init; } = 256;

    /// <summary>KV cache to generate with (dense by default; see <see cref="Caching.KvCacheFactory"/>).</summary>
    public Caching.KvCacheOptions KvCache { get; init; } = Caching.KvCacheOptions.Dense;

    /// <summary>Whether disposing the client disposes the model.</summary>
    public bool DisposeModel { get; init; }
}
