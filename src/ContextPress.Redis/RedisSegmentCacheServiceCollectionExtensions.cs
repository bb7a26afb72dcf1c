using ContextPress.Redis;
using ContextPress.Segments;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Redis segment cache.</summary>
public static class RedisSegmentCacheServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="RedisSegmentCache"/> as the <see cref="ISegmentCache"/>, replacing any registered one (such
    /// as the in-memory default of <c>AddSegmentCompression</c>, whichever is called first). It uses a registered
    /// <see cref="IConnectionMultiplexer"/> when there is one, else connects with the fail-fast settings of
    /// <see cref="RedisSegmentCacheOptions.CreateConfiguration"/> and owns that connection. Options are validated
    /// when the cache is resolved.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the connection string, namespace, time to live, limits and timeouts.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddContextPressRedisCache(this IServiceCollection services, Action<RedisSegmentCacheOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<RedisSegmentCacheOptions>()
            .Configure(configure)
            .Validate(
                o =>
                {
                    try
                    {
                        o.Validate();
                        return true;
                    }
                    catch (ArgumentException)
                    {
                        return false;
                    }
                },
                "RedisSegmentCacheOptions is invalid: the namespace must be 1-128 of A-Z a-z 0-9 - _ . : @ / + =, durations positive, MaxValueBytes over the 24-byte header, Database -1 or more.");

        services.RemoveAll<ISegmentCache>();
        services.TryAddSingleton(sp =>
        {
            RedisSegmentCacheOptions options = sp.GetRequiredService<IOptions<RedisSegmentCacheOptions>>().Value;
            ILogger<RedisSegmentCache>? logger = sp.GetService<ILogger<RedisSegmentCache>>();
            TimeProvider? clock = sp.GetService<TimeProvider>();
            IConnectionMultiplexer? shared = sp.GetService<IConnectionMultiplexer>();
            if (shared is null)
            {
                try
                {
                    options.Validate(requireConfiguration: true);
                }
                catch (ArgumentException ex)
                {
                    throw new OptionsValidationException(nameof(RedisSegmentCacheOptions), typeof(RedisSegmentCacheOptions), [ex.Message]);
                }

                return RedisSegmentCache.Connect(options, logger, clock);
            }

            return new RedisSegmentCache(shared, options, logger, clock);
        });
        services.AddSingleton<ISegmentCache>(sp => sp.GetRequiredService<RedisSegmentCache>());
        return services;
    }
}
