using static TorchSharp.torch;

namespace ContextPress.Predictor.Caching;

/// <summary>
/// A cache that scores entries with the queries that attend to them (SnapKV). The attention layer hands it the
/// post-rotary queries of the new tokens right before <see cref="IKvCache.Update"/> for the same layer.
/// </summary>
public interface IQueryObservingKvCache : IKvCache
{
    /// <summary>Sees the queries ([batch, heads, newTokens, headDim], rotary applied) of <paramref name="layer"/>; the tensor stays the caller's.</summary>
    void ObserveQueries(int layer, Tensor queries);
}
