using static TorchSharp.torch;

namespace ContextPress.Predictor.Caching;

/// <summary>
/// Keys and values of past positions, per decoder layer. A forward pass reads <see cref="Length"/> once (the position of
/// its first token), then each layer appends its new keys and values with <see cref="Update"/> and attends over what it
/// gets back. Implementations may store the entries in any form (dense now, compressed later) but must return dense
/// tensors shaped [batch, kvHeads, length, headDim].
/// </summary>
public interface IKvCache : IDisposable
{
    /// <summary>Number of positions stored (after a complete forward pass).</summary>
    long Length { get; }

    /// <summary>Appends <paramref name="key"/> and <paramref name="value"/> ([batch, kvHeads, newTokens, headDim]) for <paramref name="layer"/> and returns all keys and values of that layer, the new ones last. The results belong to the caller's dispose scope.</summary>
    (Tensor Key, Tensor Value) Update(int layer, Tensor key, Tensor value);

    /// <summary>Forgets every position (the storage may be kept for reuse).</summary>
    void Clear();
}
