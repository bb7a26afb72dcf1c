using ContextPress.DependencyInjection;
using ContextPress.History;
using ContextPress.Observations;
using ContextPress.Prompts;
using ContextPress.SemanticKernel;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers ContextPress's Semantic Kernel filters and history reducer.</summary>
public static class ContextPressServiceCollectionExtensions
{
    /// <summary>
    /// Adds ContextPress to a kernel's services: the compressors (<see cref="ContextCompressionServiceCollectionExtensions.AddContextCompression"/>)
    /// and, as <paramref name="features"/> selects, the <see cref="ObservationCompressionFilter"/> as an
    /// <see cref="IAutoFunctionInvocationFilter"/>, the <see cref="ContextCompressionChatHistoryReducer"/> as the
    /// <see cref="IChatHistoryReducer"/> and the <see cref="PromptSectionCompressionFilter"/> as an <see cref="IPromptRenderFilter"/>.
    /// </summary>
    /// <param name="services">The kernel's service collection.</param>
    /// <param name="configure">Optional configuration.</param>
    /// <param name="features">The integrations to register. Default all.</param>
    /// <returns>The service collection.</returns>
    /// <remarks>
    /// The kernel picks filters up when it is built, so call this before <c>Build()</c>. Options are validated at host
    /// start and, without a host, when the kernel is built; an invalid setting throws <see cref="OptionsValidationException"/>.
    /// </remarks>
    public static IServiceCollection AddContextPress(this IServiceCollection services, Action<ContextPressOptions>? configure = null, ContextPressFeatures features = ContextPressFeatures.All)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddContextCompression(configure);

        if (features.HasFlag(ContextPressFeatures.ObservationCompression))
        {
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IAutoFunctionInvocationFilter, ObservationCompressionFilter>(sp => new ObservationCompressionFilter(
                sp.GetRequiredService<ObservationCompressor>(),
                sp.GetRequiredService<IOptions<ContextPressOptions>>().Value.Observations,
                sp.GetService<ILogger<ObservationCompressionFilter>>())));
        }

        if (features.HasFlag(ContextPressFeatures.HistoryReduction))
        {
            services.TryAddSingleton<IChatHistoryReducer>(sp => new ContextCompressionChatHistoryReducer(
                sp.GetRequiredService<ContextCompressor>(),
                sp.GetRequiredService<IOptions<ContextPressOptions>>().Value.History));
        }

        if (features.HasFlag(ContextPressFeatures.PromptSections))
        {
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IPromptRenderFilter, PromptSectionCompressionFilter>(sp => new PromptSectionCompressionFilter(
                sp.GetRequiredService<PromptSectionCompressor>(),
                sp.GetRequiredService<IOptions<ContextPressOptions>>().Value.PromptSections,
                sp.GetService<ILogger<PromptSectionCompressionFilter>>())));
        }

        return services;
    }
}
