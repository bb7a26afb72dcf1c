using ContextPress.Compression;
using ContextPress.DependencyInjection;
using ContextPress.Segments;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers ContextPress segment compression.</summary>
public static class SegmentCompressionServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="SegmentCompressor"/> (with prompt compression, see <c>AddPromptCompression</c>) and, unless an
    /// <see cref="ISegmentCache"/> is already registered, an <see cref="InMemorySegmentCache"/>. A cache registered later,
    /// for example by <c>AddContextPressRedisCache</c>, replaces it. Options are validated when the compressor is resolved.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Optional configuration.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddSegmentCompression(this IServiceCollection services, Action<SegmentCompressionServiceOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddPromptCompression();
        OptionsBuilder<SegmentCompressionServiceOptions> options = services.AddOptions<SegmentCompressionServiceOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.Validate(
            o => IsValid(o.Defaults is null ? null : o.Defaults.Validate) && IsValid(o.MemoryCache is null ? null : o.MemoryCache.Validate),
            "SegmentCompressionServiceOptions is invalid: Defaults need a rate in (0, 1], positive token limits, non-empty force tokens and a valid namespace; MemoryCache a positive byte bound and time to live.");

        services.TryAddSingleton<ISegmentCache>(sp => new InMemorySegmentCache(
            sp.GetRequiredService<IOptions<SegmentCompressionServiceOptions>>().Value.MemoryCache,
            sp.GetService<TimeProvider>()));
        services.TryAddSingleton(sp => new SegmentCompressor(
            sp.GetRequiredService<PromptCompressor>(),
            sp.GetRequiredService<ISegmentCache>(),
            sp.GetService<ILogger<SegmentCompressor>>(),
            sp.GetRequiredService<IOptions<SegmentCompressionServiceOptions>>().Value.Defaults));
        return services;
    }

    private static bool IsValid(Action? validate)
    {
        if (validate is null)
        {
            return false;
        }

        try
        {
            validate();
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
