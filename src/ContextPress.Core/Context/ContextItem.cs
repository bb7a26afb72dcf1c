using System.Collections.ObjectModel;

namespace ContextPress.Context;

/// <summary>
/// One unit of an LLM context: a message, a tool call request, a tool result, or a caller-supplied document or note.
/// </summary>
/// <remarks>
/// <para>
/// Items are immutable; compressors produce changed copies, typically with <see cref="WithText(string)"/>, and an
/// adapter writes them back. Equality compares content (including the elements of <see cref="ToolCalls"/> and
/// <see cref="Metadata"/>) and ignores <see cref="Source"/>, so an item parsed twice from the same message is equal
/// to itself.
/// </para>
/// </remarks>
public sealed record ContextItem
{
    /// <summary>Gets what the item contributes to the context.</summary>
    public ContextItemKind Kind { get; init; }

    /// <summary>Gets who authored the item.</summary>
    public ContextRole Role { get; init; }

    /// <summary>Gets the item's text. Never <see langword="null"/>; may be empty (for example a tool call without text).</summary>
    public string Text
    {
        get;
        init
        {
            ArgumentNullException.ThrowIfNull(value);
            field = value;
        }
    } = string.Empty;

    /// <summary>Gets the optional name of the author (the <c>name</c> field of a chat message).</summary>
    public string? AuthorName { get; init; }

    /// <summary>Gets the tool calls requested by a <see cref="ContextItemKind.ToolCall"/> item; empty for other kinds.</summary>
    public IReadOnlyList<ToolCall> ToolCalls
    {
        get;
        init
        {
            ArgumentNullException.ThrowIfNull(value);
            field = value;
        }
    } = [];

    /// <summary>Gets the id of the call that a <see cref="ContextItemKind.ToolResult"/> item answers.</summary>
    public string? ToolCallId { get; init; }

    /// <summary>Gets the name of the tool that produced a <see cref="ContextItemKind.ToolResult"/> item, when known.</summary>
    public string? ToolName { get; init; }

    /// <summary>
    /// Gets the 0-based conversation turn: the number of user messages seen up to and including this item, minus one.
    /// The first user message and everything after it until the next user message are turn 0; so are items before any
    /// user message.
    /// </summary>
    public int Turn { get; init; }

    /// <summary>Gets a value indicating whether compressors must keep this item unchanged.</summary>
    public bool Pinned { get; init; }

    /// <summary>Gets free-form annotations for policies and diagnostics. Adapters do not write them to the wire.</summary>
    public IReadOnlyDictionary<string, string> Metadata
    {
        get;
        init
        {
            ArgumentNullException.ThrowIfNull(value);
            field = value;
        }
    } = ReadOnlyDictionary<string, string>.Empty;

    /// <summary>
    /// Gets adapter bookkeeping: the original message (or part of it) this item was read from, which lets the adapter
    /// write the item back changing only its text and tool calls. <see langword="null"/> for items built by callers.
    /// </summary>
    /// <remarks>
    /// The value is opaque to everyone but the adapter that set it; adapters ignore sources they do not recognize and
    /// write such items from their fields. <see cref="WithText(string)"/> and <see langword="with"/> expressions keep it.
    /// </remarks>
    public object? Source { get; init; }

    /// <summary>Creates a system message item.</summary>
    /// <param name="text">The instructions.</param>
    /// <returns>A <see cref="ContextItemKind.System"/> item with role <see cref="ContextRole.System"/>.</returns>
    public static ContextItem System(string text) => Create(ContextItemKind.System, ContextRole.System, text, turn: 0);

    /// <summary>Creates a developer message item.</summary>
    /// <param name="text">The instructions.</param>
    /// <returns>A <see cref="ContextItemKind.System"/> item with role <see cref="ContextRole.Developer"/>.</returns>
    public static ContextItem Developer(string text) => Create(ContextItemKind.System, ContextRole.Developer, text, turn: 0);

    /// <summary>Creates a user message item.</summary>
    /// <param name="text">The user's text.</param>
    /// <param name="turn">The 0-based turn this message opens.</param>
    /// <returns>A <see cref="ContextItemKind.User"/> item.</returns>
    public static ContextItem User(string text, int turn = 0) => Create(ContextItemKind.User, ContextRole.User, text, turn);

    /// <summary>Creates an assistant message item without tool calls.</summary>
    /// <param name="text">The assistant's text.</param>
    /// <param name="turn">The 0-based turn.</param>
    /// <returns>A <see cref="ContextItemKind.Assistant"/> item.</returns>
    public static ContextItem Assistant(string text, int turn = 0) => Create(ContextItemKind.Assistant, ContextRole.Assistant, text, turn);

    /// <summary>Creates an assistant item that requests tool calls.</summary>
    /// <param name="calls">The requested calls.</param>
    /// <param name="turn">The 0-based turn.</param>
    /// <param name="text">Text the assistant sent along with the calls, if any.</param>
    /// <returns>A <see cref="ContextItemKind.ToolCall"/> item.</returns>
    public static ContextItem ToolCallRequest(IEnumerable<ToolCall> calls, int turn = 0, string text = "")
    {
        ArgumentNullException.ThrowIfNull(calls);
        return Create(ContextItemKind.ToolCall, ContextRole.Assistant, text, turn) with { ToolCalls = [.. calls] };
    }

    /// <summary>Creates a tool result item.</summary>
    /// <param name="callId">The id of the call this result answers.</param>
    /// <param name="toolName">The name of the tool that produced the result, if known.</param>
    /// <param name="text">The tool's output.</param>
    /// <param name="turn">The 0-based turn.</param>
    /// <returns>A <see cref="ContextItemKind.ToolResult"/> item with role <see cref="ContextRole.Tool"/>.</returns>
    public static ContextItem ToolResult(string callId, string? toolName, string text, int turn = 0)
    {
        ArgumentNullException.ThrowIfNull(callId);
        return Create(ContextItemKind.ToolResult, ContextRole.Tool, text, turn) with { ToolCallId = callId, ToolName = toolName };
    }

    /// <summary>Creates a retrieved-document item.</summary>
    /// <param name="text">The document's text.</param>
    /// <param name="turn">The 0-based turn.</param>
    /// <param name="role">The role the document is sent with; user by default, as most chat APIs expect retrieved content there.</param>
    /// <returns>A <see cref="ContextItemKind.Document"/> item.</returns>
    public static ContextItem Document(string text, int turn = 0, ContextRole role = ContextRole.User) =>
        Create(ContextItemKind.Document, role, text, turn);

    /// <summary>Creates a planning-note item.</summary>
    /// <param name="text">The note's text.</param>
    /// <param name="turn">The 0-based turn.</param>
    /// <param name="role">The role the note is sent with; system by default, so the model reads it as guidance.</param>
    /// <returns>A <see cref="ContextItemKind.PlanNote"/> item.</returns>
    public static ContextItem PlanNote(string text, int turn = 0, ContextRole role = ContextRole.System) =>
        Create(ContextItemKind.PlanNote, role, text, turn);

    /// <summary>Returns a copy of this item with different text, keeping everything else, <see cref="Source"/> included.</summary>
    /// <param name="text">The new text.</param>
    /// <returns>The changed copy.</returns>
    public ContextItem WithText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return this with { Text = text };
    }

    /// <summary>Compares content; <see cref="Source"/> is bookkeeping and does not take part.</summary>
    /// <param name="other">The item to compare with.</param>
    /// <returns><see langword="true"/> if both items have the same content.</returns>
    public bool Equals(ContextItem? other) =>
        other is not null &&
        (ReferenceEquals(this, other) ||
         (Kind == other.Kind &&
          Role == other.Role &&
          Turn == other.Turn &&
          Pinned == other.Pinned &&
          string.Equals(Text, other.Text, StringComparison.Ordinal) &&
          string.Equals(AuthorName, other.AuthorName, StringComparison.Ordinal) &&
          string.Equals(ToolCallId, other.ToolCallId, StringComparison.Ordinal) &&
          string.Equals(ToolName, other.ToolName, StringComparison.Ordinal) &&
          ToolCalls.SequenceEqual(other.ToolCalls) &&
          MetadataEquals(Metadata, other.Metadata)));

    /// <inheritdoc/>
    public override int GetHashCode() =>
        HashCode.Combine(Kind, Role, Turn, Pinned, Text, ToolCallId, ToolCalls.Count, Metadata.Count);

    private static ContextItem Create(ContextItemKind kind, ContextRole role, string text, int turn)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfNegative(turn);
        return new ContextItem { Kind = kind, Role = role, Text = text, Turn = turn };
    }

    private static bool MetadataEquals(IReadOnlyDictionary<string, string> left, IReadOnlyDictionary<string, string> right)
    {
        if (ReferenceEquals(left, right))
        {
            return true;
        }

        if (left.Count != right.Count)
        {
            return false;
        }

        foreach (KeyValuePair<string, string> pair in left)
        {
            if (!right.TryGetValue(pair.Key, out string? value) || !string.Equals(pair.Value, value, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }
}
