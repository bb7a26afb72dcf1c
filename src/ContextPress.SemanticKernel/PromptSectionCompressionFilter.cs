using ContextPress.Prompts;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.SemanticKernel;

namespace ContextPress.SemanticKernel;

/// <summary>
/// An <see cref="IPromptRenderFilter"/> that compresses the marked sections of rendered prompts (retrieved documents
/// in <c>&lt;context&gt;…&lt;/context&gt;</c>, say) and leaves the rest of the prompt untouched.
/// </summary>
/// <remarks>
/// Runs for prompt functions (<c>kernel.InvokePromptAsync</c>, functions from prompt templates), not for direct chat
/// service calls, which is where SK renders prompts. A compression failure is logged and the prompt is sent as rendered.
/// </remarks>
public sealed partial class PromptSectionCompressionFilter : IPromptRenderFilter
{
    private readonly ILogger _logger;

    /// <summary>Initializes a new instance of the <see cref="PromptSectionCompressionFilter"/> class.</summary>
    /// <param name="compressor">The section compressor.</param>
    /// <param name="options">Tags, threshold and ratio; the defaults when null.</param>
    /// <param name="logger">Optional logger.</param>
    public PromptSectionCompressionFilter(PromptSectionCompressor compressor, PromptSectionOptions? options = null, ILogger<PromptSectionCompressionFilter>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(compressor);
        options ??= PromptSectionOptions.Default;
        options.Validate();
        Compressor = compressor;
        Options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Gets the section compressor.</summary>
    public PromptSectionCompressor Compressor { get; }

    /// <summary>Gets the tags, threshold and ratio.</summary>
    public PromptSectionOptions Options { get; }

    /// <inheritdoc />
    public async Task OnPromptRenderAsync(PromptRenderContext context, Func<PromptRenderContext, Task> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        await next(context).ConfigureAwait(false);

        if (context.RenderedPrompt is not { Length: > 0 } prompt)
        {
            return;
        }

        try
        {
            PromptSectionCompressionResult result = await Compressor.CompressAsync(prompt, Options, context.CancellationToken).ConfigureAwait(false);
            if (result.SectionsCompressed > 0)
            {
                context.RenderedPrompt = result.Prompt;
                LogCompressed(context.Function.Name, result.SectionsCompressed, result.TokensBefore, result.TokensAfter);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFailed(context.Function.Name, ex);
        }
    }

    [LoggerMessage(LogLevel.Debug, "Compressed {Sections} prompt sections of {Function} from {TokensBefore} to {TokensAfter} tokens.")]
    private partial void LogCompressed(string function, int sections, int tokensBefore, int tokensAfter);

    [LoggerMessage(LogLevel.Warning, "Compressing the prompt sections of {Function} failed; the prompt is sent as rendered.")]
    private partial void LogFailed(string function, Exception exception);
}
