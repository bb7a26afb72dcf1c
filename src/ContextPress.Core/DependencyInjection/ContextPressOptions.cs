using ContextPress.ChatCompletion;
using ContextPress.Observations;
using ContextPress.Prompts;

namespace ContextPress.DependencyInjection;

/// <summary>
/// Settings of ContextPress's integrations, bound with <c>services.AddContextCompression(o => ...)</c> (or, with
/// Semantic Kernel, <c>services.AddContextPress(o => ...)</c>).
/// </summary>
public sealed class ContextPressOptions
{
    /// <summary>Gets or sets when and how chat histories are compressed (chat clients, chat reducers, SK history reducers).</summary>
    public ChatHistoryCompressionOptions History { get; set; } = ChatHistoryCompressionOptions.Default;

    /// <summary>Gets which tool results are compressed as they arrive, and how.</summary>
    public ObservationCompressionSettings Observations { get; } = new();

    /// <summary>Gets or sets which sections of rendered prompts are compressed, and how.</summary>
    public PromptSectionOptions PromptSections { get; set; } = PromptSectionOptions.Default;

    /// <summary>Throws when a setting is out of range.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(History, nameof(History));
        ArgumentNullException.ThrowIfNull(PromptSections, nameof(PromptSections));
        History.Validate();
        Observations.Validate();
        PromptSections.Validate();
    }
}
