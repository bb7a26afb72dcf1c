using ContextPress.DependencyInjection;
using ContextPress.SemanticKernel;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.SemanticKernel;

/// <summary>Adds ContextPress to a kernel builder.</summary>
public static class ContextPressKernelBuilderExtensions
{
    /// <summary>Adds ContextPress's filters and history reducer to the kernel (see <see cref="ContextPressServiceCollectionExtensions.AddContextPress"/>).</summary>
    /// <param name="builder">The kernel builder.</param>
    /// <param name="configure">Optional configuration.</param>
    /// <param name="features">The integrations to register. Default all.</param>
    /// <returns><paramref name="builder"/>.</returns>
    public static IKernelBuilder AddContextPress(this IKernelBuilder builder, Action<ContextPressOptions>? configure = null, ContextPressFeatures features = ContextPressFeatures.All)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddContextPress(configure, features);
        return builder;
    }
}
