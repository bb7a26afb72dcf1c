namespace ContextPress.Context;

/// <summary>Classifies a <see cref="ContextItem"/> by what it contributes to the context.</summary>
/// <remarks>
/// The kind is finer than <see cref="ContextRole"/>: compression policies treat an assistant message that
/// requests tools differently from one that only answers, and caller-supplied documents differently from chat.
/// </remarks>
public enum ContextItemKind
{
    /// <summary>A system or developer message.</summary>
    System,

    /// <summary>A user message.</summary>
    User,

    /// <summary>An assistant message without tool calls.</summary>
    Assistant,

    /// <summary>
    /// An assistant message that requests one or more tool calls; its <see cref="ContextItem.Text"/> is the
    /// assistant's text content, if any, and its <see cref="ContextItem.ToolCalls"/> lists the calls.
    /// </summary>
    ToolCall,

    /// <summary>The output of one tool call, identified by <see cref="ContextItem.ToolCallId"/>.</summary>
    ToolResult,

    /// <summary>A retrieved document that the caller adds to the context.</summary>
    Document,

    /// <summary>A planning note that the caller adds to the context.</summary>
    PlanNote,
}
