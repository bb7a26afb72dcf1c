using ContextPress.Compression;
using ContextPress.DependencyInjection;
using ContextPress.Scoring;
using ContextPress.Tokens;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers ContextPress prompt compression.</summary>
public static class PromptCompressionServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="PromptCompressor"/> with the shared tiktoken <see cref="ITokenCounter"/> and, unless an
    /// <see cref="ITokenScorer"/> is already registered, the embedded <see cref="StatisticalTokenScorer"/>.
    /// Options are validated when the first service is resolved.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Optional configuration.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddPromptCompression(this IServiceCollection services, Action<PromptCompressionServiceOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        OptionsBuilder<PromptCompressionServiceOptions> options = services.AddOptions<PromptCompressionServiceOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.Validate(
            o =>
            {
                try
                {
                    o.Defaults.Validate();
                    return true;
                }
                catch (ArgumentException)
                {
                    return false;
                }
            },
            "PromptCompressionServiceOptions.Defaults is invalid: Rate must be in (0, 1], TargetTokens non-negative, force tokens non-empty.");

        services.TryAddSingleton<ITokenCounter>(sp => TiktokenTokenCounter.Get(sp.GetRequiredService<IOptions<PromptCompressionServiceOptions>>().Value.Encoding));
        services.TryAddSingleton<ITokenScorer>(_ => StatisticalTokenScorer.Default);
        services.TryAddSingleton(sp => new PromptCompressor(
            sp.GetRequiredService<ITokenScorer>(),
            sp.GetRequiredService<ITokenCounter>(),
            sp.GetService<ILogger<PromptCompressor>>(),
            sp.GetRequiredService<IOptions<PromptCompressionServiceOptions>>().Value.Defaults));
        return services;
    }
}
