namespace ContextPress.Observations;

/// <summary>What is known about a tool result when it arrives; it tells the compressor which values must survive.</summary>
/// <param name="ToolName">The tool that produced the result, if known.</param>
/// <param name="ArgumentsJson">The arguments the tool was called with, as JSON, if known.</param>
/// <param name="Request">The latest user request, if known.</param>
public sealed record ObservationContext(string? ToolName = null, string? ArgumentsJson = null, string? Request = null);
