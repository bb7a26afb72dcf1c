using ContextPress.ChatCompletion;
using ContextPress.DependencyInjection;
using ContextPress.History;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.AI;

/// <summary>Adds ContextPress history compression to a <see cref="ChatClientBuilder"/> pipeline.</summary>
public static class ContextCompressionChatClientBuilderExtensions
{
    /// <summary>
    /// Adds a <see cref="ContextCompressingChatClient"/>. Call it after <c>UseFunctionInvocation()</c> to compress every
    /// model call of a tool loop, before it to compress once per request.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="compressor">The compressor; when null, the registered <see cref="ContextCompressor"/> or the default one.</param>
    /// <param name="configure">
    /// Optional configuration of the client, e.g. its <see cref="ContextCompressingChatClient.Options"/>, which
    /// otherwise come from the registered <see cref="ContextPressOptions.History"/> or the defaults.
    /// </param>
    /// <returns><paramref name="builder"/>.</returns>
    public static ChatClientBuilder UseContextCompression(this ChatClientBuilder builder, ContextCompressor? compressor = null, Action<ContextCompressingChatClient>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((innerClient, services) =>
        {
            var client = new ContextCompressingChatClient(
                innerClient,
                compressor ?? services.GetService<ContextCompressor>() ?? ContextCompressor.CreateDefault(),
                services.GetService<ILoggerFactory>()?.CreateLogger<ContextCompressingChatClient>());
            if (services.GetService<IOptions<ContextPressOptions>>() is { } options)
            {
                client.Options = options.Value.History;
            }

            configure?.Invoke(client);
            return client;
        });
    }
}
