namespace ContextPress.SemanticKernel;

/// <summary>The Semantic Kernel integrations <c>AddContextPress</c> registers.</summary>
[Flags]
public enum ContextPressFeatures
{
    /// <summary>None: only the compressors are registered.</summary>
    None = 0,

    /// <summary><see cref="ObservationCompressionFilter"/>: tool results compressed as they arrive.</summary>
    ObservationCompression = 1,

    /// <summary><see cref="ContextCompressionChatHistoryReducer"/> as the <c>IChatHistoryReducer</c>.</summary>
    HistoryReduction = 2,

    /// <summary><see cref="PromptSectionCompressionFilter"/>: marked sections of rendered prompts compressed.</summary>
    PromptSections = 4,

    /// <summary>All of them.</summary>
    All = ObservationCompression | HistoryReduction | PromptSections,
}
