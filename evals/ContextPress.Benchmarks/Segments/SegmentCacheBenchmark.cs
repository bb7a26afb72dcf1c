using System.Diagnostics;
using System.Globalization;
using ContextPress.Compression;
using ContextPress.Redis;
using ContextPress.Redis.Tests.TestSupport;
using ContextPress.Segments;
using StackExchange.Redis;

namespace ContextPress.Benchmarks.Segments;

/// <summary>
/// The shared segment cache, in memory and on a local Redis: latency of a fully cached 50-segment document, cache
/// lookups per second batched vs one by one, the cost of a hit against recompression, and the hit rate of a multi-turn
/// run of several agents whose documents and tool results recur.
/// </summary>
internal static class SegmentCacheBenchmark
{
    private const int Segments = 50;

    public static async Task<int> RunAsync(TextWriter output)
    {
        string? endpoint = Environment.GetEnvironmentVariable("CONTEXTPRESS_REDIS");
        using RedisServerProcess? own = string.IsNullOrWhiteSpace(endpoint) ? await RedisServerProcess.TryStartAsync() : null;
        endpoint = string.IsNullOrWhiteSpace(endpoint) ? own?.Endpoint : endpoint;
        if (endpoint is null)
        {
            output.WriteLine("segments: no Redis (set CONTEXTPRESS_REDIS or put redis-server on PATH); in-memory figures only");
        }

        string run = Guid.NewGuid().ToString("N")[..8];
        PromptCompressor prompt = PromptCompressor.CreateDefault();
        string document = SegmentDocuments.Prose(Segments, words: 70, seed: 1);
        var options = new SegmentCompressionOptions { Rate = 0.5 };
        var probe = new SegmentCompressor(prompt, new InMemorySegmentCache());
        SegmentedDocument segmented = probe.Segment(document, options);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"document: {segmented.Segments.Count} segments, {segmented.Tokens:N0} tokens, {document.Length:N0} chars; rate 0.5; redis: {endpoint ?? "none"} ({(own is null ? "given" : "started by the benchmark")})"));
        output.WriteLine();

        await using RedisSegmentCache? redis = endpoint is null ? null : await RedisSegmentCache.ConnectAsync(new RedisSegmentCacheOptions { Configuration = endpoint, Namespace = "bench-" + run, TimeToLive = TimeSpan.FromMinutes(10) });

        // 1. A fully cached document: compress once (misses), then time repeated compressions (all hits).
        output.WriteLine("| cache | cold compression (all misses) p50 ms | cached document p50 ms | p95 ms | p99 ms | hits |");
        output.WriteLine("|---|---|---|---|---|---|");
        var caches = new List<(string Name, ISegmentCache Cache)> { ("in-memory", new InMemorySegmentCache()) };
        if (redis is not null)
        {
            caches.Add(("redis (local)", redis));
        }

        var coldByCache = new Dictionary<string, double>();
        var hitByCache = new Dictionary<string, double>();
        foreach ((string name, ISegmentCache cache) in caches)
        {
            var compressor = new SegmentCompressor(prompt, cache);
            double[] cold = new double[15];
            for (int i = 0; i < cold.Length; i++)
            {
                // A fresh namespace per call: every segment is a miss and is compressed and written.
                cold[i] = await TimeAsync(() => compressor.CompressAsync(document, options with { Namespace = $"cold-{run}-{i}" }));
            }

            // Warm up for a second, then pause, so that tiered compilation has promoted the hot paths.
            long warmUp = Stopwatch.GetTimestamp();
            while (Stopwatch.GetElapsedTime(warmUp) < TimeSpan.FromSeconds(1))
            {
                await compressor.CompressAsync(document, options);
            }

            await Task.Delay(300);

            double[] hits = new double[1000];
            int hitCount = 0;
            for (int i = 0; i < hits.Length; i++)
            {
                long started = Stopwatch.GetTimestamp();
                SegmentCompressionResult result = await compressor.CompressAsync(document, options);
                hits[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                hitCount = result.CacheHits;
            }

            coldByCache[name] = Percentile(cold, 0.5);
            hitByCache[name] = Percentile(hits, 0.5);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {Percentile(cold, 0.5):0.0} | {Percentile(hits, 0.5):0.000} | {Percentile(hits, 0.95):0.000} | {Percentile(hits, 0.99):0.000} | {hitCount}/{segmented.Segments.Count} |"));
        }

        // Where a cached call's time goes: segmentation with token counts and SHA-256 keys, without any cache.
        double[] segmentOnly = new double[1000];
        string fingerprint = probe.GetFingerprint(options);
        for (int i = 0; i < segmentOnly.Length; i++)
        {
            segmentOnly[i] = await TimeAsync(() =>
            {
                SegmentedDocument d = probe.Segment(document, options);
                foreach (TextSegment s in d.Segments)
                {
                    _ = SegmentCacheKey.Create(options.Namespace, fingerprint, s.Kind, s.Text);
                }

                return ValueTask.FromResult(d);
            });
        }

        output.WriteLine();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"segmentation + token counts + SHA-256 keys alone: p50 {Percentile(segmentOnly, 0.5):0.000} ms"));
        foreach ((string name, _) in caches)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"cost of a hit vs recompression ({name}): {hitByCache[name]:0.000} ms vs {coldByCache[name]:0.0} ms per document = {coldByCache[name] / hitByCache[name]:0}x; per segment {hitByCache[name] * 1000 / Segments:0} µs vs {coldByCache[name] * 1000 / Segments:0} µs"));
        }

        // 2. Lookups per second: one batched call of 50 keys vs 50 sequential one-key calls vs raw per-key GETs awaited together.
        if (redis is not null)
        {
            output.WriteLine();
            await LookupsAsync(output, redis, document, options, probe, prompt);
        }

        // 3. A multi-turn run of agents whose documents recur.
        output.WriteLine();
        output.WriteLine("| agent run (4 agents x 25 turns, documents recur) | segment lookups | hit rate | turn p50 ms | turn p95 ms |");
        output.WriteLine("|---|---|---|---|---|");
        await AgentRunAsync(output, "in-memory (one per agent)", _ => new InMemorySegmentCache(), prompt, run);
        await AgentRunAsync(output, "in-memory (shared)", SharedFactory(new InMemorySegmentCache()), prompt, run);
        if (redis is not null)
        {
            var connections = new List<RedisSegmentCache>();
            await AgentRunAsync(
                output,
                "redis (shared, one connection per agent)",
                agent =>
                {
                    var cache = RedisSegmentCache.Connect(new RedisSegmentCacheOptions { Configuration = endpoint, Namespace = "agents-" + run, TimeToLive = TimeSpan.FromMinutes(10) });
                    connections.Add(cache);
                    return cache;
                },
                prompt,
                run);
            foreach (RedisSegmentCache connection in connections)
            {
                await connection.DisposeAsync();
            }
        }

        return 0;
    }

    private static Func<int, ISegmentCache> SharedFactory(ISegmentCache cache) => _ => cache;

    private static async Task LookupsAsync(TextWriter output, RedisSegmentCache redis, string document, SegmentCompressionOptions options, SegmentCompressor probe, PromptCompressor prompt)
    {
        SegmentedDocument segmented = probe.Segment(document, options);
        string fingerprint = probe.GetFingerprint(options);
        SegmentCacheKey[] keys = [.. segmented.Segments.Select(s => SegmentCacheKey.Create(options.Namespace, fingerprint, s.Kind, s.Text))];
        await new SegmentCompressor(prompt, redis).CompressAsync(document, options); // entries exist
        IDatabase database = redis.Multiplexer.GetDatabase();
        RedisKey[] redisKeys = [.. keys.Select(k => (RedisKey)redis.GetRedisKey(k))];

        async Task Batched() => await redis.GetManyAsync(keys);

        async Task OneByOne()
        {
            foreach (SegmentCacheKey key in keys)
            {
                await redis.GetManyAsync([key]);
            }
        }

        async Task PerKeyPipelined() => await Task.WhenAll(redisKeys.Select(k => database.StringGetAsync(k)));

        async Task RawMget() => await database.StringGetAsync(redisKeys);

        async Task RawOneByOne()
        {
            foreach (RedisKey key in redisKeys)
            {
                await database.StringGetAsync(key);
            }
        }

        output.WriteLine("| lookup of a 50-segment document (values present) | p50 ms per 50 keys | keys/s, one caller | keys/s, 8 concurrent callers |");
        output.WriteLine("|---|---|---|---|");
        foreach ((string name, Func<Task> lookup) in new (string, Func<Task>)[]
        {
            ("RedisSegmentCache.GetManyAsync, 50 keys: one MGET + header/checksum checks", Batched),
            ("RedisSegmentCache.GetManyAsync, one key per call, one by one", OneByOne),
            ("raw SE.Redis: one MGET of 50 keys", RawMget),
            ("raw SE.Redis: 50 GETs sent together, then awaited (pipelined)", PerKeyPipelined),
            ("raw SE.Redis: 50 GETs, each awaited before the next (one by one)", RawOneByOne),
        })
        {
            long warmUp = Stopwatch.GetTimestamp();
            while (Stopwatch.GetElapsedTime(warmUp) < TimeSpan.FromSeconds(0.5))
            {
                await lookup();
            }

            await Task.Delay(200);

            int calls = name.Contains("one by one", StringComparison.Ordinal) ? 240 : 2000;
            double[] times = new double[calls];
            long started = Stopwatch.GetTimestamp();
            for (int i = 0; i < calls; i++)
            {
                long t = Stopwatch.GetTimestamp();
                await lookup();
                times[i] = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
            }

            double sequential = calls * keys.Length / Stopwatch.GetElapsedTime(started).TotalSeconds;
            long concurrentStarted = Stopwatch.GetTimestamp();
            await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
            {
                for (int i = 0; i < calls / 8; i++)
                {
                    await lookup();
                }
            }));
            double concurrent = (calls / 8) * 8 * keys.Length / Stopwatch.GetElapsedTime(concurrentStarted).TotalSeconds;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {Percentile(times, 0.5):0.000} | {sequential:N0} | {concurrent:N0} |"));
        }
    }

    /// <summary>
    /// Agents work in turns; each turn's context holds 3 prose documents and 2 JSON tool results drawn from a pool, with a
    /// bias to recently used ones (70 % recur), and a tool result whose first record changes every few turns.
    /// </summary>
    private static async Task AgentRunAsync(TextWriter output, string name, Func<int, ISegmentCache> cacheFor, PromptCompressor prompt, string run)
    {
        const int Agents = 4;
        const int Turns = 25;
        var options = new SegmentCompressionOptions { Rate = 0.5, Namespace = "run-" + run + "-" + name.GetHashCode(StringComparison.Ordinal).ToString("x8", CultureInfo.InvariantCulture) };
        string[] prose = [.. Enumerable.Range(0, 16).Select(i => SegmentDocuments.Prose(paragraphs: 12, words: 60, seed: 100 + i))];
        long lookups = 0;
        long hits = 0;
        var turnTimes = new List<double>();
        var gate = new Lock();
        await Task.WhenAll(Enumerable.Range(0, Agents).Select(agent => Task.Run(async () =>
        {
            var compressor = new SegmentCompressor(prompt, cacheFor(agent));
            var random = new Random(agent);
            var recent = new List<int>();
            for (int turn = 0; turn < Turns; turn++)
            {
                var context = new List<string>();
                for (int d = 0; d < 3; d++)
                {
                    int pick = recent.Count > 0 && random.NextDouble() < 0.7 ? recent[random.Next(recent.Count)] : random.Next(prose.Length);
                    recent.Add(pick);
                    context.Add(prose[pick]);
                }

                context.Add(SegmentDocuments.ToolResult(10, seed: agent % 2, version: turn / 3));
                context.Add(SegmentDocuments.ToolResult(10, seed: 10 + random.Next(6), version: 0));
                long started = Stopwatch.GetTimestamp();
                foreach (string text in context)
                {
                    SegmentCompressionResult result = await compressor.CompressAsync(text, options);
                    Interlocked.Add(ref lookups, result.CacheHits + result.CacheMisses);
                    Interlocked.Add(ref hits, result.CacheHits);
                }

                lock (gate)
                {
                    turnTimes.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
            }
        })));

        double[] times = [.. turnTimes];
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {lookups:N0} | {100.0 * hits / lookups:0.0} % | {Percentile(times, 0.5):0.00} | {Percentile(times, 0.95):0.00} |"));
    }

    private static async Task<double> TimeAsync<T>(Func<ValueTask<T>> action)
    {
        long started = Stopwatch.GetTimestamp();
        await action();
        return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    private static double Percentile(double[] values, double p)
    {
        double[] sorted = [.. values];
        Array.Sort(sorted);
        return sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
    }
}
