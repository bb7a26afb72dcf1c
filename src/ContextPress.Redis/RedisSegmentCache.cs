using System.Diagnostics;
using System.Net.Sockets;
using ContextPress.Diagnostics;
using ContextPress.Segments;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace ContextPress.Redis;

/// <summary>
/// An <see cref="ISegmentCache"/> on Redis, shared by every process and agent instance that uses the same server and
/// namespace. Thread-safe; one instance per application over one shared <see cref="IConnectionMultiplexer"/>.
/// </summary>
/// <remarks>
/// <para>
/// Keys: <c>{namespace}:s1:{key namespace}:{{xx}}{key id}</c>, where <c>xx</c> is the first byte of the key's SHA-256
/// in hex. The braces are a Redis Cluster hash tag: a tenant's entries spread evenly over 256 tag buckets (no hot
/// slot per tenant), and a batch is grouped by hash slot so each group is one <c>MGET</c>. On a standalone server
/// the whole batch is one <c>MGET</c>; writes are pipelined <c>SET … PX</c> commands awaited together.
/// </para>
/// <para>
/// Values carry a versioned, checksummed header bound to their key; a corrupt or foreign value is a miss, never an
/// output. Values over <see cref="RedisSegmentCacheOptions.MaxValueBytes"/> are not stored.
/// </para>
/// <para>
/// Faults (timeouts, lost connections, any <see cref="RedisException"/>) never fail a call: the batch is served as
/// misses, the cache is bypassed for <see cref="RedisSegmentCacheOptions.CoolDown"/> (a circuit breaker), the outage
/// is logged once and counted in <c>contextpress.segment_cache.errors</c> / <c>.bypassed</c>, and after the cool-down
/// the cache is tried again, so it recovers by itself when Redis is back.
/// </para>
/// </remarks>
public sealed partial class RedisSegmentCache : ISegmentCache, IAsyncDisposable, IDisposable
{
    /// <summary>The key schema version, part of every key.</summary>
    public const string KeySchema = "s1";

    private const int MaxKeysPerCommand = 512;
    private const int TopologyUnknown = 0;
    private const int TopologyStandalone = 1;
    private const int TopologyCluster = 2;
    private static readonly KeyValuePair<string, object?> s_tag = new("contextpress.cache", "redis");

    private readonly IConnectionMultiplexer _multiplexer;
    private readonly bool _ownsMultiplexer;
    private readonly RedisSegmentCacheOptions _options;
    private readonly CacheCircuitBreaker _breaker;
    private readonly ILogger _logger;
    private readonly string _keyPrefix;
    private int _topology; // TopologyUnknown until a server answered

    /// <summary>Initializes a new instance of the <see cref="RedisSegmentCache"/> class over a shared connection.</summary>
    /// <param name="multiplexer">The shared connection (not disposed by the cache). Prefer the fail-fast settings of
    /// <see cref="RedisSegmentCacheOptions.CreateConfiguration"/>; the cache bounds every batch by its own timeout either way.</param>
    /// <param name="options">The settings; <see cref="RedisSegmentCacheOptions.Configuration"/> is not used.</param>
    /// <param name="logger">Optional logger.</param>
    /// <param name="timeProvider">The clock of the cool-down; <see cref="TimeProvider.System"/> when null.</param>
    public RedisSegmentCache(IConnectionMultiplexer multiplexer, RedisSegmentCacheOptions options, ILogger<RedisSegmentCache>? logger = null, TimeProvider? timeProvider = null)
        : this(multiplexer, ownsMultiplexer: false, options, logger, timeProvider)
    {
    }

    private RedisSegmentCache(IConnectionMultiplexer multiplexer, bool ownsMultiplexer, RedisSegmentCacheOptions options, ILogger<RedisSegmentCache>? logger, TimeProvider? timeProvider)
    {
        ArgumentNullException.ThrowIfNull(multiplexer);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _multiplexer = multiplexer;
        _ownsMultiplexer = ownsMultiplexer;
        _options = options;
        _breaker = new CacheCircuitBreaker(options.CoolDown, timeProvider ?? TimeProvider.System);
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _keyPrefix = options.Namespace + ":" + KeySchema + ":";
    }

    /// <summary>Gets the namespace at the start of every key.</summary>
    public string Namespace => _options.Namespace;

    /// <summary>Gets a value indicating whether the cache is in an outage (bypassed, or not yet answering again).</summary>
    public bool IsBypassed => _breaker.InOutage;

    /// <summary>Gets the shared connection.</summary>
    public IConnectionMultiplexer Multiplexer => _multiplexer;

    /// <summary>
    /// Connects with the fail-fast settings of <see cref="RedisSegmentCacheOptions.CreateConfiguration"/> and returns a
    /// cache that owns (and disposes) the connection. Returns at once even when Redis is down; the cache then serves
    /// misses until it answers.
    /// </summary>
    /// <param name="options">The settings, with <see cref="RedisSegmentCacheOptions.Configuration"/>.</param>
    /// <param name="logger">Optional logger.</param>
    /// <param name="timeProvider">The clock of the cool-down; <see cref="TimeProvider.System"/> when null.</param>
    /// <returns>The cache.</returns>
    public static async Task<RedisSegmentCache> ConnectAsync(RedisSegmentCacheOptions options, ILogger<RedisSegmentCache>? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ConfigurationOptions configuration = options.CreateConfiguration();
        ConnectionMultiplexer multiplexer = await ConnectionMultiplexer.ConnectAsync(configuration).ConfigureAwait(false);
        return new RedisSegmentCache(multiplexer, ownsMultiplexer: true, options, logger, timeProvider);
    }

    /// <summary>Connects synchronously (for DI factories); see <see cref="ConnectAsync"/>.</summary>
    /// <param name="options">The settings, with <see cref="RedisSegmentCacheOptions.Configuration"/>.</param>
    /// <param name="logger">Optional logger.</param>
    /// <param name="timeProvider">The clock of the cool-down; <see cref="TimeProvider.System"/> when null.</param>
    /// <returns>The cache, owning its connection.</returns>
    public static RedisSegmentCache Connect(RedisSegmentCacheOptions options, ILogger<RedisSegmentCache>? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ConfigurationOptions configuration = options.CreateConfiguration();
        return new RedisSegmentCache(ConnectionMultiplexer.Connect(configuration), ownsMultiplexer: true, options, logger, timeProvider);
    }

    /// <summary>Gets the Redis key an entry is stored under.</summary>
    /// <param name="key">The segment key.</param>
    /// <returns>The Redis key.</returns>
    public string GetRedisKey(SegmentCacheKey key)
    {
        if (key.Id is null)
        {
            throw new ArgumentException("The key is uninitialized.", nameof(key));
        }

        return $"{_keyPrefix}{key.Namespace}:{{{key.Id.AsSpan(0, 2)}}}{key.Id}";
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<CachedSegment?>> GetManyAsync(IReadOnlyList<SegmentCacheKey> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        cancellationToken.ThrowIfCancellationRequested();
        var results = new CachedSegment?[keys.Count];
        if (keys.Count == 0)
        {
            return results;
        }

        if (!_breaker.AllowsCall())
        {
            ContextPressTelemetry.SegmentCacheBypassed.Add(1, s_tag);
            return results;
        }

        var names = new string[keys.Count];
        var redisKeys = new RedisKey[keys.Count];
        for (int i = 0; i < keys.Count; i++)
        {
            names[i] = GetRedisKey(keys[i]);
            redisKeys[i] = names[i];
        }

        try
        {
            IDatabase database = _multiplexer.GetDatabase(_options.Database);
            List<int[]> groups = Group(names);
            var reads = new Task<RedisValue[]>[groups.Count];
            for (int g = 0; g < groups.Count; g++)
            {
                int[] members = groups[g];
                reads[g] = database.StringGetAsync(groups.Count == 1 ? redisKeys : Array.ConvertAll(members, i => redisKeys[i]));
            }

            await Task.WhenAll(reads).WaitAsync(_options.OperationTimeout, cancellationToken).ConfigureAwait(false);
            int corrupt = 0;
            for (int g = 0; g < groups.Count; g++)
            {
                RedisValue[] values = reads[g].Result;
                int[] members = groups[g];
                for (int k = 0; k < members.Length; k++)
                {
                    RedisValue value = values[k];
                    if (value.IsNull)
                    {
                        continue;
                    }

                    if (SegmentValueCodec.TryDecode(keys[members[k]], ((ReadOnlyMemory<byte>)value).Span, out CachedSegment? segment))
                    {
                        results[members[k]] = segment;
                    }
                    else
                    {
                        corrupt++;
                        LogCorruptValue(names[members[k]]);
                    }
                }
            }

            if (corrupt > 0)
            {
                ContextPressTelemetry.SegmentCacheErrors.Add(corrupt, s_tag, new KeyValuePair<string, object?>("error.type", "corrupt_value"));
            }

            Succeeded();
            return results;
        }
        catch (Exception ex) when (IsFault(ex, cancellationToken))
        {
            Failed(ex, "get");
            return new CachedSegment?[keys.Count];
        }
    }

    /// <inheritdoc />
    public async ValueTask SetManyAsync(IReadOnlyList<SegmentCacheEntry> entries, TimeSpan? timeToLive = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (timeToLive is { } given && given <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(timeToLive), given, "The time to live must be positive.");
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (entries.Count == 0)
        {
            return;
        }

        if (!_breaker.AllowsCall())
        {
            ContextPressTelemetry.SegmentCacheBypassed.Add(1, s_tag);
            return;
        }

        TimeSpan ttl = timeToLive ?? _options.TimeToLive;
        var values = new List<(RedisKey Key, byte[] Value)>(entries.Count);
        foreach (SegmentCacheEntry entry in entries)
        {
            ArgumentNullException.ThrowIfNull(entry.Value, nameof(entries));
            byte[] value = SegmentValueCodec.Encode(entry.Key, entry.Value);
            if (value.Length > _options.MaxValueBytes)
            {
                LogOversizedValue(value.Length, _options.MaxValueBytes);
                continue;
            }

            values.Add((GetRedisKey(entry.Key), value));
        }

        if (values.Count == 0)
        {
            return;
        }

        try
        {
            // Pipelined: every SET is sent before any reply is awaited (MSETEX would need Redis 8).
            IDatabase database = _multiplexer.GetDatabase(_options.Database);
            var writes = new Task[values.Count];
            for (int i = 0; i < values.Count; i++)
            {
                writes[i] = database.StringSetAsync(values[i].Key, values[i].Value, ttl, When.Always, CommandFlags.None);
            }

            await Task.WhenAll(writes).WaitAsync(_options.OperationTimeout, cancellationToken).ConfigureAwait(false);
            Succeeded();
        }
        catch (Exception ex) when (IsFault(ex, cancellationToken))
        {
            Failed(ex, "set");
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_ownsMultiplexer)
        {
            await _multiplexer.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsMultiplexer)
        {
            _multiplexer.Dispose();
        }
    }

    private static bool IsFault(Exception ex, CancellationToken cancellationToken) =>
        ex is RedisException or TimeoutException or SocketException or IOException or ObjectDisposedException
        || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested);

    /// <summary>Groups key indices into commands: by hash slot on a cluster, else chunks of <see cref="MaxKeysPerCommand"/>.</summary>
    private List<int[]> Group(string[] keys)
    {
        var groups = new List<int[]>();
        if (IsCluster())
        {
            foreach (IGrouping<int, int> slot in Enumerable.Range(0, keys.Length).GroupBy(i => RedisHashSlot.Of(keys[i])))
            {
                groups.AddRange(slot.Chunk(MaxKeysPerCommand));
            }

            return groups;
        }

        for (int start = 0; start < keys.Length; start += MaxKeysPerCommand)
        {
            groups.Add([.. Enumerable.Range(start, Math.Min(MaxKeysPerCommand, keys.Length - start))]);
        }

        return groups;
    }

    /// <summary>Whether the connection is to a Redis Cluster, decided once a server has answered.</summary>
    private bool IsCluster()
    {
        int known = Volatile.Read(ref _topology);
        if (known != TopologyUnknown)
        {
            return known == TopologyCluster;
        }

        bool cluster = false;
        bool connected = false;
        foreach (IServer server in _multiplexer.GetServers())
        {
            connected |= server.IsConnected;
            cluster |= server.ServerType == ServerType.Cluster;
        }

        if (connected)
        {
            Volatile.Write(ref _topology, cluster ? TopologyCluster : TopologyStandalone);
        }

        return cluster;
    }

    private void Succeeded()
    {
        if (_breaker.RecordSuccess())
        {
            LogRecovered(_options.Namespace);
        }
    }

    private void Failed(Exception ex, string operation)
    {
        ContextPressTelemetry.SegmentCacheErrors.Add(1, s_tag, new KeyValuePair<string, object?>("error.type", ex.GetType().Name));
        if (_breaker.RecordFailure())
        {
            LogOutage(ex, operation, _options.Namespace, _options.CoolDown.TotalSeconds);
        }
        else
        {
            LogStillFailing(operation, ex.GetType().Name);
        }

        Activity.Current?.AddEvent(new ActivityEvent("contextpress.segment_cache.fault"));
    }

    [LoggerMessage(LogLevel.Warning, "Redis segment cache '{Namespace}' failed on {Operation}; segments are compressed without it, retrying every {CoolDownSeconds:F1} s until it answers.")]
    private partial void LogOutage(Exception exception, string operation, string @namespace, double coolDownSeconds);

    [LoggerMessage(LogLevel.Information, "Redis segment cache '{Namespace}' answers again.")]
    private partial void LogRecovered(string @namespace);

    [LoggerMessage(LogLevel.Debug, "Redis segment cache still failing on {Operation} ({ErrorType}).")]
    private partial void LogStillFailing(string operation, string errorType);

    [LoggerMessage(LogLevel.Debug, "Ignored a corrupt or foreign value at {Key}; served as a miss.")]
    private partial void LogCorruptValue(string key);

    [LoggerMessage(LogLevel.Debug, "Did not cache a compressed segment of {Bytes} bytes (limit {MaxBytes}).")]
    private partial void LogOversizedValue(int bytes, int maxBytes);
}
