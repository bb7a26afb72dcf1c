using ContextPress.Context;
using ContextPress.Observations;

namespace Microsoft.Extensions.AI;

/// <summary>Compresses tool results as a <see cref="FunctionInvokingChatClient"/> produces them (observation compression).</summary>
public static class ObservationCompressionFunctionInvokingChatClientExtensions
{
    /// <summary>
    /// Wraps the client's function invoker so that each tool result over its threshold is compressed before it enters
    /// the conversation: <c>.UseFunctionInvocation(configure: c => c.UseObservationCompression())</c>.
    /// </summary>
    /// <param name="client">The function-invoking client.</param>
    /// <param name="compressor">The compressor; the default one when null.</param>
    /// <param name="settings">Thresholds, ratios and opt-outs per function; the defaults when null.</param>
    /// <returns><paramref name="client"/>.</returns>
    /// <remarks>An invoker already set on the client still runs; its result is what gets compressed.</remarks>
    public static FunctionInvokingChatClient UseObservationCompression(
        this FunctionInvokingChatClient client,
        ObservationCompressor? compressor = null,
        ObservationCompressionSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        settings ??= new ObservationCompressionSettings();
        settings.Validate();
        compressor ??= ObservationCompressor.CreateDefault();

        Func<FunctionInvocationContext, CancellationToken, ValueTask<object?>>? inner = client.FunctionInvoker;
        client.FunctionInvoker = async (context, cancellationToken) =>
        {
            object? result = inner is not null
                ? await inner(context, cancellationToken)
                : await context.Function.InvokeAsync(context.Arguments, cancellationToken);

            ObservationCompressionOptions? options = settings.For(context.Function.Name);
            if (options is null || result is null)
            {
                return result;
            }

            string text = ChatContentJson.ResultToText(result);
            var observation = new ObservationContext(
                context.Function.Name,
                ChatContentJson.ArgumentsToJson(context.CallContent.Arguments),
                context.Messages.LastOrDefault(m => m.Role == ChatRole.User)?.Text);
            ObservationCompressionResult compressed = await compressor.CompressAsync(text, options, observation, cancellationToken);
            return compressed.Compressed ? compressed.Text : result;
        };
        return client;
    }
}
