namespace ContextPress.History;

/// <summary>What happened to one input item.</summary>
/// <param name="Index">The item's index in the input.</param>
/// <param name="Kind">The item's kind.</param>
/// <param name="Action">What was done to it.</param>
/// <param name="TokensBefore">Its tokens before.</param>
/// <param name="TokensAfter">Its tokens after (0 when dropped).</param>
/// <param name="Protected">Whether it was protected (system, pinned, last user turn, recent turns, pending calls).</param>
/// <param name="Relevance">Its relevance to the next plan steps and the latest request, 0..1.</param>
public sealed record ContextItemReport(int Index, Context.ContextItemKind Kind, ContextAction Action, int TokensBefore, int TokensAfter, bool Protected, double Relevance);
