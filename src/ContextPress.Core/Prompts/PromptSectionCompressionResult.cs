namespace ContextPress.Prompts;

/// <summary>The outcome of compressing the marked sections of a prompt.</summary>
public sealed class PromptSectionCompressionResult
{
    /// <summary>Gets the prompt with its sections compressed; the original when nothing was compressed.</summary>
    public required string Prompt { get; init; }

    /// <summary>Gets how many marked sections the prompt has.</summary>
    public required int Sections { get; init; }

    /// <summary>Gets how many of them were compressed.</summary>
    public required int SectionsCompressed { get; init; }

    /// <summary>Gets the tokens of the marked sections' contents before compression.</summary>
    public required int TokensBefore { get; init; }

    /// <summary>Gets the tokens of the marked sections' contents after compression.</summary>
    public required int TokensAfter { get; init; }
}
