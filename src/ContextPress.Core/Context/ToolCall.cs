namespace ContextPress.Context;

/// <summary>One tool call requested by the model.</summary>
/// <param name="CallId">The identifier that the matching tool result refers to.</param>
/// <param name="Name">The name of the tool (function) to call.</param>
/// <param name="ArgumentsJson">The call's arguments as a JSON text, usually an object such as <c>{"city":"Paris"}</c>.</param>
public sealed record ToolCall(string CallId, string Name, string ArgumentsJson)
{
    /// <summary>Gets the identifier that the matching tool result refers to.</summary>
    public string CallId { get; init; } = CallId ?? throw new ArgumentNullException(nameof(CallId));

    /// <summary>Gets the name of the tool (function) to call.</summary>
    public string Name { get; init; } = Name ?? throw new ArgumentNullException(nameof(Name));

    /// <summary>Gets the call's arguments as a JSON text.</summary>
    public string ArgumentsJson { get; init; } = ArgumentsJson ?? throw new ArgumentNullException(nameof(ArgumentsJson));
}
