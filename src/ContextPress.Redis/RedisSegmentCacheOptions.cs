using ContextPress.Segments;
using StackExchange.Redis;

namespace ContextPress.Redis;

/// <summary>Settings of <see cref="RedisSegmentCache"/>, bound with <c>services.AddContextPressRedisCache(o => ...)</c>.</summary>
public sealed class RedisSegmentCacheOptions
{
    /// <summary>Gets or sets the StackExchange.Redis configuration string (for example <c>127.0.0.1:6379</c> or
    /// <c>redis:6379,password=...,ssl=true</c>). Needed unless an <see cref="IConnectionMultiplexer"/> is given.</summary>
    public string? Configuration { get; set; }

    /// <summary>
    /// Gets or sets the namespace at the start of every key (application or tenant), so caches sharing one Redis never
    /// read each other's entries; see <see cref="SegmentCacheKey.IsValidNamespace"/>. Default <c>contextpress</c>.
    /// </summary>
    public string Namespace { get; set; } = "contextpress";

    /// <summary>Gets or sets how long entries live when the writer gives no time to live. Default 1 day.</summary>
    public TimeSpan TimeToLive { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Gets or sets the largest value stored, header included; larger compressed segments are not cached. Default 256 KiB.</summary>
    public int MaxValueBytes { get; set; } = 256 * 1024;

    /// <summary>Gets or sets how long the cache is bypassed after a fault before it is tried again. Default 10 seconds.</summary>
    public TimeSpan CoolDown { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets or sets the connect timeout of a connection the cache creates. Default 1 second.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Gets or sets the longest a batch may take before it counts as a fault and is served as misses; also the command
    /// timeout of a connection the cache creates. Default 500 ms.
    /// </summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Gets or sets the Redis database number; -1 (the default) for the connection's default database.</summary>
    public int Database { get; set; } = -1;

    /// <summary>Throws <see cref="ArgumentException"/> when a setting is out of range.</summary>
    /// <param name="requireConfiguration">Whether <see cref="Configuration"/> must be set (no multiplexer given).</param>
    public void Validate(bool requireConfiguration = false)
    {
        if (requireConfiguration && string.IsNullOrWhiteSpace(Configuration))
        {
            throw new ArgumentException("A Redis configuration string is needed when no IConnectionMultiplexer is given.", nameof(Configuration));
        }

        if (!SegmentCacheKey.IsValidNamespace(Namespace))
        {
            throw new ArgumentException(
                $"The namespace has 1 to {SegmentCacheKey.MaxNamespaceLength} characters: ASCII letters, digits and - _ . : @ / + = (got '{Namespace}').",
                nameof(Namespace));
        }

        ThrowIfNotPositive(TimeToLive, nameof(TimeToLive));
        ThrowIfNotPositive(CoolDown, nameof(CoolDown));
        ThrowIfNotPositive(ConnectTimeout, nameof(ConnectTimeout));
        ThrowIfNotPositive(OperationTimeout, nameof(OperationTimeout));
        if (MaxValueBytes <= SegmentValueCodec.HeaderBytes)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxValueBytes), MaxValueBytes, $"Values need more than the {SegmentValueCodec.HeaderBytes}-byte header.");
        }

        if (Database < -1)
        {
            throw new ArgumentOutOfRangeException(nameof(Database), Database, "The database is -1 (default) or a database number.");
        }
    }

    /// <summary>
    /// Builds fail-fast connection settings from <see cref="Configuration"/>: no abort on a failed first connect (the app
    /// starts without Redis), commands fail at once while disconnected instead of queueing, short timeouts, and a
    /// reconnect every connect timeout, so an outage costs about nothing per turn and the cache comes back by itself.
    /// </summary>
    /// <returns>The configuration to connect with.</returns>
    public ConfigurationOptions CreateConfiguration()
    {
        Validate(requireConfiguration: true);
        ConfigurationOptions configuration = ConfigurationOptions.Parse(Configuration!);
        configuration.AbortOnConnectFail = false;
        configuration.BacklogPolicy = BacklogPolicy.FailFast;
        configuration.ConnectTimeout = (int)ConnectTimeout.TotalMilliseconds;
        configuration.AsyncTimeout = (int)OperationTimeout.TotalMilliseconds;
        configuration.SyncTimeout = (int)OperationTimeout.TotalMilliseconds;
        configuration.ReconnectRetryPolicy = new LinearRetry((int)ConnectTimeout.TotalMilliseconds);
        configuration.ClientName ??= "contextpress";
        return configuration;
    }

    private static void ThrowIfNotPositive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(name, value, "The duration must be positive.");
        }
    }
}
