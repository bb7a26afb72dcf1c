using ContextPress.Observations;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace ContextPress.SemanticKernel;

/// <summary>
/// An <see cref="IAutoFunctionInvocationFilter"/> that compresses each tool result as it arrives, when it is over its
/// function's threshold, before it enters the chat history and reaches the model (observation compression).
/// </summary>
/// <remarks>
/// Thresholds, ratios and opt-outs are per function (<see cref="ObservationCompressionSettings"/>). Values named by
/// the call's arguments or the latest user request survive. Works on the native connectors and on chat-client-based
/// services alike, because it only replaces <c>context.Result</c>. A compression failure is logged and the original
/// result is kept.
/// </remarks>
public sealed partial class ObservationCompressionFilter : IAutoFunctionInvocationFilter
{
    private readonly ILogger _logger;

    /// <summary>Initializes a new instance of the <see cref="ObservationCompressionFilter"/> class.</summary>
    /// <param name="compressor">The observation compressor.</param>
    /// <param name="settings">Per-function settings; the defaults when null.</param>
    /// <param name="logger">Optional logger.</param>
    public ObservationCompressionFilter(ObservationCompressor compressor, ObservationCompressionSettings? settings = null, ILogger<ObservationCompressionFilter>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(compressor);
        settings ??= new ObservationCompressionSettings();
        settings.Validate();
        Compressor = compressor;
        Settings = settings;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Gets the observation compressor.</summary>
    public ObservationCompressor Compressor { get; }

    /// <summary>Gets the per-function settings.</summary>
    public ObservationCompressionSettings Settings { get; }

    /// <inheritdoc />
    public async Task OnAutoFunctionInvocationAsync(AutoFunctionInvocationContext context, Func<AutoFunctionInvocationContext, Task> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        await next(context).ConfigureAwait(false);

        KernelFunction function = context.Function;
        ObservationCompressionOptions? options = Settings.For(function.Name, function.PluginName);
        object? value = context.Result?.GetValue<object>();
        if (options is null || value is null)
        {
            return;
        }

        string text = SkJson.ResultToText(value);
        var observation = new ObservationContext(
            function.PluginName is { Length: > 0 } plugin ? $"{plugin}-{function.Name}" : function.Name,
            SkJson.ArgumentsToJson(context.Arguments),
            context.ChatHistory.LastOrDefault(m => m.Role == AuthorRole.User)?.Content);
        try
        {
            ObservationCompressionResult result = await Compressor.CompressAsync(text, options, observation, context.CancellationToken).ConfigureAwait(false);
            if (result.Compressed)
            {
                context.Result = new FunctionResult(context.Result!, result.Text);
                LogCompressed(observation.ToolName, result.TokensBefore, result.TokensAfter);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFailed(observation.ToolName, ex);
        }
    }

    [LoggerMessage(LogLevel.Debug, "Compressed the result of {Function} from {TokensBefore} to {TokensAfter} tokens.")]
    private partial void LogCompressed(string? function, int tokensBefore, int tokensAfter);

    [LoggerMessage(LogLevel.Warning, "Compressing the result of {Function} failed; the original result is kept.")]
    private partial void LogFailed(string? function, Exception exception);
}
