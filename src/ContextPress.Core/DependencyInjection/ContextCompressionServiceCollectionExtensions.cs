using ContextPress.ChatCompletion;
using ContextPress.Compression;
using ContextPress.DependencyInjection;
using ContextPress.History;
using ContextPress.Observations;
using ContextPress.Prompts;
using ContextPress.Segments;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers ContextPress's history, observation and prompt-section compression.</summary>
public static class ContextCompressionServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="ContextCompressor"/>, <see cref="ObservationCompressor"/>, <see cref="PromptSectionCompressor"/>
    /// and a <see cref="ContextCompressionChatReducer"/> as <see cref="IChatReducer"/> (unless one is registered), over
    /// the prompt compression of <see cref="PromptCompressionServiceCollectionExtensions.AddPromptCompression"/> and the
    /// segment compression of <see cref="SegmentCompressionServiceCollectionExtensions.AddSegmentCompression"/>: prose
    /// tool results and prompt sections go through the segment cache (in memory unless, say,
    /// <c>AddContextPressRedisCache</c> registers Redis).
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Optional configuration.</param>
    /// <returns>The service collection.</returns>
    /// <remarks>
    /// Options are validated at host start and, without a host, when the first of these services is resolved; an
    /// invalid setting throws <see cref="OptionsValidationException"/> naming it.
    /// </remarks>
    public static IServiceCollection AddContextCompression(this IServiceCollection services, Action<ContextPressOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddPromptCompression();
        services.AddSegmentCompression();
        OptionsBuilder<ContextPressOptions> options = services.AddOptions<ContextPressOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ContextPressOptions>, ContextPressOptionsValidator>());

        services.TryAddSingleton(sp => new ContextCompressor(
            sp.GetRequiredService<PromptCompressor>(),
            logger: sp.GetService<ILogger<ContextCompressor>>()));
        services.TryAddSingleton(sp => new ObservationCompressor(sp.GetRequiredService<PromptCompressor>(), segmentCompressor: sp.GetRequiredService<SegmentCompressor>()));
        services.TryAddSingleton(sp => new PromptSectionCompressor(sp.GetRequiredService<ObservationCompressor>()));
        services.TryAddSingleton<IChatReducer>(sp => new ContextCompressionChatReducer(
            sp.GetRequiredService<ContextCompressor>(),
            sp.GetRequiredService<IOptions<ContextPressOptions>>().Value.History));
        return services;
    }
}
