using static TorchSharp.torch;

namespace ContextPress.Predictor.Caching;

/// <summary>
/// Keys and values of past positions, per decoder layer. A forward pass reads <see cref="Length"/> (the position of its
/// first token) and <see cref="StoredLength"/> (how many past entries each layer will attend to) once, then each layer
/// appends its new keys and values with <see cref="Update"/> and attends over what it gets back.
/// </summary>
/// <remarks>
/// <para>
/// Implementations may store entries in any form (dense, quantized, a subset) but return dense tensors shaped
/// [batch, kvHeads, entries, headDim]: the <see cref="StoredLength"/> entries held before the call (dequantized if
/// stored quantized, in any order, since past keys already carry their rotary position), followed by the new ones exactly
/// as given. Compression and eviction apply to what the cache keeps <em>after</em> the call, so a prefill always attends
/// over its own full-precision keys and values (as KIVI and kvpress do).
/// </para>
/// <para>
/// <see cref="Length"/> counts tokens seen and drives rotary positions; an evicting cache keeps fewer entries
/// (<see cref="StoredLength"/> &lt; <see cref="Length"/>) and the model then attends to every stored entry plus the new
/// tokens causally. For a cache that keeps everything both are equal.
/// </para>
/// </remarks>
public interface IKvCache : IDisposable
{
    /// <summary>Number of tokens seen (after a complete forward pass): the rotary position of the next token.</summary>
    long Length { get; }

    /// <summary>Number of entries per layer and KV head that the next <see cref="Update"/> returns before the new ones.</summary>
    long StoredLength { get; }

    /// <summary>Bytes of tensor storage holding the stored entries (codes, scales, residuals), all layers together.</summary>
    long StorageBytes { get; }

    /// <summary>
    /// Appends <paramref name="key"/> and <paramref name="value"/> ([batch, kvHeads, newTokens, headDim]) for
    /// <paramref name="layer"/> and returns the keys and values the new tokens attend to: the stored ones, then the new
    /// ones last. The results belong to the caller's dispose scope.
    /// </summary>
    (Tensor Key, Tensor Value) Update(int layer, Tensor key, Tensor value);

    /// <summary>Forgets every position (the storage may be kept for reuse).</summary>
    void Clear();
}
