using System.Diagnostics;
using System.Diagnostics.Metrics;
using ContextPress.Compression;
using ContextPress.Diagnostics;
using ContextPress.Redis.Tests.TestSupport;
using ContextPress.Segments;
using Microsoft.Extensions.Logging;

namespace ContextPress.Redis.Tests;

public class RedisOutageTests
{
    private static readonly PromptCompressor s_prompt = PromptCompressor.CreateDefault();

    [Fact]
    public async Task RedisStoppedMidRun_CompressionsSucceedUncached_AndCachingResumesAfterRestart()
    {
        using RedisServerProcess server = await SharedRedis.StartPrivateServerAsync();
        var logger = new ListLogger<RedisSegmentCache>();
        var options = new RedisSegmentCacheOptions
        {
            Configuration = server.Endpoint,
            Namespace = SharedRedis.UniqueNamespace("outage"),
            CoolDown = TimeSpan.FromMilliseconds(300),
            OperationTimeout = TimeSpan.FromMilliseconds(500),
            ConnectTimeout = TimeSpan.FromMilliseconds(500),
        };
        await using RedisSegmentCache cache = await RedisSegmentCache.ConnectAsync(options, logger);
        var compressor = new SegmentCompressor(s_prompt, cache);
        string document = Documents.Paragraphs(6, seed: 21);
        CancellationToken ct = TestContext.Current.CancellationToken;
        using var metrics = new CounterRecorder("contextpress.segment_cache.errors", "contextpress.segment_cache.bypassed");

        SegmentCompressionResult reference = await compressor.CompressAsync(document, cancellationToken: ct);
        Assert.Equal(6, reference.CacheMisses);
        Assert.Equal(6, (await compressor.CompressAsync(document, cancellationToken: ct)).CacheHits);

        server.Stop();
        var slowest = TimeSpan.Zero;
        for (int turn = 0; turn < 12; turn++)
        {
            long started = Stopwatch.GetTimestamp();
            SegmentCompressionResult result = await compressor.CompressAsync(document, cancellationToken: ct);
            TimeSpan elapsed = Stopwatch.GetElapsedTime(started);
            slowest = elapsed > slowest ? elapsed : slowest;
            Assert.Equal(reference.Text, result.Text);
            Assert.Equal(0, result.CacheHits);
            await Task.Delay(100, ct);
        }

        Assert.True(slowest < TimeSpan.FromSeconds(2), $"a turn took {slowest.TotalMilliseconds:F0} ms while Redis was down");
        Assert.True(cache.IsBypassed);
        Assert.Single(logger.Entries, e => e.Level == LogLevel.Warning);
        Assert.True(metrics.Total("contextpress.segment_cache.errors") >= 1);
        Assert.True(metrics.Total("contextpress.segment_cache.bypassed") >= 1, "no call was bypassed during the cool-down");

        await server.StartAsync(ct); // same port, empty (no persistence)
        bool resumed = false;
        var deadline = Stopwatch.StartNew();
        while (!resumed && deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            SegmentCompressionResult result = await compressor.CompressAsync(document, cancellationToken: ct);
            Assert.Equal(reference.Text, result.Text);
            resumed = result.CacheHits == 6;
            if (!resumed)
            {
                await Task.Delay(200, ct);
            }
        }

        Assert.True(resumed, "caching did not resume within 30 s of the restart");
        Assert.False(cache.IsBypassed);
        Assert.Single(logger.Entries, e => e.Level == LogLevel.Warning);
        Assert.Single(logger.Entries, e => e.Level == LogLevel.Information && e.Message.Contains("answers again", StringComparison.Ordinal));
    }

    [Fact]
    public async Task HungRedis_OnASharedDefaultConnection_CostsAtMostTheOperationTimeout()
    {
        using RedisServerProcess server = await SharedRedis.StartPrivateServerAsync();
        CancellationToken ct = TestContext.Current.CancellationToken;

        // An application's own multiplexer with StackExchange.Redis defaults (5 s command timeout, commands queued while
        // disconnected): the cache still bounds every batch by its own OperationTimeout.
        await using StackExchange.Redis.ConnectionMultiplexer shared = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(server.Endpoint);
        var logger = new ListLogger<RedisSegmentCache>();
        var cache = new RedisSegmentCache(shared, new RedisSegmentCacheOptions { Namespace = SharedRedis.UniqueNamespace("hung"), OperationTimeout = TimeSpan.FromMilliseconds(300), CoolDown = TimeSpan.FromMilliseconds(500) }, logger);
        var compressor = new SegmentCompressor(s_prompt, cache);
        string document = Documents.Paragraphs(4, seed: 23);
        SegmentCompressionResult reference = await compressor.CompressAsync(document, cancellationToken: ct);
        Assert.Equal(4, (await compressor.CompressAsync(document, cancellationToken: ct)).CacheHits);

        server.Signal(freeze: true);
        try
        {
            for (int turn = 0; turn < 5; turn++)
            {
                long started = Stopwatch.GetTimestamp();
                SegmentCompressionResult result = await compressor.CompressAsync(document, cancellationToken: ct);
                Assert.True(Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(1.5), $"turn {turn} took {Stopwatch.GetElapsedTime(started).TotalMilliseconds:F0} ms");
                Assert.Equal(reference.Text, result.Text);
                Assert.Equal(0, result.CacheHits);
            }

            Assert.True(cache.IsBypassed);
            Assert.Contains(logger.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("TimeoutException", StringComparison.Ordinal));
        }
        finally
        {
            server.Signal(freeze: false);
        }

        bool resumed = false;
        var deadline = Stopwatch.StartNew();
        while (!resumed && deadline.Elapsed < TimeSpan.FromSeconds(20))
        {
            await Task.Delay(200, ct);
            resumed = (await compressor.CompressAsync(document, cancellationToken: ct)).CacheHits == 4;
        }

        Assert.True(resumed, "the cache did not answer again after the server was thawed");
        Assert.Single(logger.Entries, e => e.Level == LogLevel.Warning);
    }

    [Fact]
    public async Task UnreachableRedisAtStart_DoesNotBlockOrFail()
    {
        int port = RedisServerProcess.FreePort(); // nothing listens there
        long started = Stopwatch.GetTimestamp();
        await using RedisSegmentCache cache = await RedisSegmentCache.ConnectAsync(new RedisSegmentCacheOptions
        {
            Configuration = $"127.0.0.1:{port}",
            Namespace = "unreachable",
            OperationTimeout = TimeSpan.FromMilliseconds(300),
        });
        var compressor = new SegmentCompressor(s_prompt, cache);
        string document = Documents.Paragraphs(3, seed: 22);
        SegmentCompressionResult expected = await new SegmentCompressor(s_prompt, new InMemorySegmentCache()).CompressAsync(document, cancellationToken: TestContext.Current.CancellationToken);
        for (int turn = 0; turn < 3; turn++)
        {
            SegmentCompressionResult result = await compressor.CompressAsync(document, cancellationToken: TestContext.Current.CancellationToken);
            Assert.Equal(expected.Text, result.Text);
        }

        Assert.True(Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(5));
        Assert.True(cache.IsBypassed);
    }

    /// <summary>Sums the measurements of some ContextPress counters tagged as the Redis cache.</summary>
    private sealed class CounterRecorder : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly Dictionary<string, long> _totals = [];

        public CounterRecorder(params string[] names)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == ContextPressTelemetry.SourceName && names.Contains(instrument.Name))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            {
                foreach (KeyValuePair<string, object?> tag in tags)
                {
                    if (tag.Key == "contextpress.cache" && Equals(tag.Value, "redis"))
                    {
                        lock (_totals)
                        {
                            _totals[instrument.Name] = _totals.GetValueOrDefault(instrument.Name) + value;
                        }
                    }
                }
            });
            _listener.Start();
        }

        public long Total(string name)
        {
            lock (_totals)
            {
                return _totals.GetValueOrDefault(name);
            }
        }

        public void Dispose() => _listener.Dispose();
    }
}
