using ContextPress.Compression;
using ContextPress.Tokens;

namespace ContextPress.DependencyInjection;

/// <summary>Service-level settings of prompt compression, bound with <c>services.AddPromptCompression(o => ...)</c>.</summary>
public sealed class PromptCompressionServiceOptions
{
    /// <summary>Gets or sets the encoding budgets are counted in. Default <see cref="TokenEncoding.O200kBase"/>.</summary>
    public TokenEncoding Encoding { get; set; } = TokenEncoding.O200kBase;

    /// <summary>Gets or sets the options <see cref="PromptCompressor"/> uses for calls that pass none.</summary>
    public PromptCompressionOptions Defaults { get; set; } = PromptCompressionOptions.Default;
}
