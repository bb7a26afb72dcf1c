using ContextPress.Predictor;
using ContextPress.Predictor.Caching;
using static TorchSharp.torch;

namespace ContextPress.ModelLab;

/// <summary>
/// Runs a model through a KV cache the way generation does: the first <c>prefill</c> tokens of each window in one pass,
/// then one token at a time, so every later position reads past keys and values from the cache (compressed, evicted or
/// dense). Prefill attends over its own full-precision keys and values, so score only the decoded positions
/// (<see cref="PerplexityEvaluatorOptions.FirstScoredPosition"/>).
/// </summary>
public static class KvCacheEvaluation
{
    /// <summary>A logits source ([B, T] ids to [B, T, vocab]) decoding through a fresh cache per row.</summary>
    /// <param name="model">The model.</param>
    /// <param name="options">The cache to decode through.</param>
    /// <param name="prefill">Tokens of each row run in the first pass (at least 1).</param>
    /// <param name="storageBytes">Receives the cache's stored bytes after each row (the last row's value is kept).</param>
    public static Func<Tensor, Tensor> Logits(CausalLM model, KvCacheOptions options, int prefill, Action<long>? storageBytes = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(prefill, 1);
        return ids =>
        {
            var length = ids.shape[1];
            if (prefill >= length)
            {
                throw new ArgumentOutOfRangeException(nameof(prefill), $"Prefill {prefill} leaves nothing to decode in a window of {length}.");
            }
            var rows = new List<Tensor>();
            for (var b = 0L; b < ids.shape[0]; b++)
            {
                var row = ids.narrow(0, b, 1);
                using var cache = KvCacheFactory.Create(model, options, length);
                var parts = new List<Tensor> { model.Forward(row.narrow(1, 0, prefill), cache) };
                for (var t = (long)prefill; t < length; t++)
                {
                    parts.Add(model.Forward(row.narrow(1, t, 1), cache));
                }
                storageBytes?.Invoke(cache.StorageBytes);
                rows.Add(cat(parts, 1));
            }
            return cat(rows, 0);
        };
    }

    /// <summary>
    /// The configurations the compression table reports, sized for the evaluation model's 256-position context: KIVI's
    /// and GEAR's residual windows and groups shrink to 32 tokens and SnapKV's observation window to 16 (their defaults
    /// would leave most of a window uncompressed), and eviction removes <paramref name="evictedFraction"/>.
    /// </summary>
    public static IReadOnlyList<(string Name, KvCacheOptions Options)> TableConfigurations(double evictedFraction = 0.5)
    {
        var kivi = new KiviOptions { GroupSize = 32, ResidualLength = 32 };
        return
        [
            ("dense", KvCacheOptions.Dense),
            ("KIVI 4-bit (K per channel)", new KvCacheOptions { Kind = KvCacheKind.Kivi, Kivi = kivi }),
            ("KIVI 4-bit, K per token", new KvCacheOptions { Kind = KvCacheKind.Kivi, Kivi = kivi with { KeyQuantization = KeyQuantization.PerToken } }),
            ("KIVI 2-bit (K per channel)", new KvCacheOptions { Kind = KvCacheKind.Kivi, Kivi = kivi with { Bits = 2 } }),
            ("KIVI 2-bit, K per token", new KvCacheOptions { Kind = KvCacheKind.Kivi, Kivi = kivi with { Bits = 2, KeyQuantization = KeyQuantization.PerToken } }),
            ("GEAR 2-bit", new KvCacheOptions { Kind = KvCacheKind.Gear, Gear = new GearOptions { Bits = 2, GroupSize = 32, BufferLength = 32 } }),
            ($"StreamingLLM {evictedFraction:P0} evicted", new KvCacheOptions { Kind = KvCacheKind.Streaming, CompressionRatio = evictedFraction }),
            ($"SnapKV {evictedFraction:P0} evicted", new KvCacheOptions { Kind = KvCacheKind.SnapKv, CompressionRatio = evictedFraction, SnapKvWindow = 16 }),
        ];
    }
}
