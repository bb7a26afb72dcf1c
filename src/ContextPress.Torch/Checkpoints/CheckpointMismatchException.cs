namespace ContextPress.Torch.Checkpoints;

/// <summary>A checkpoint does not fit a module: tensors are missing, unexpected, or of the wrong shape. The message names them all.</summary>
public sealed class CheckpointMismatchException : InvalidOperationException
{
    /// <summary>Creates the exception from the three lists (each may be empty).</summary>
    public CheckpointMismatchException(IReadOnlyList<string> missing, IReadOnlyList<string> unexpected, IReadOnlyList<string> shapeMismatches)
        : base(Describe(missing, unexpected, shapeMismatches))
    {
        Missing = missing;
        Unexpected = unexpected;
        ShapeMismatches = shapeMismatches;
    }

    /// <summary>Module parameters or buffers the checkpoint does not provide.</summary>
    public IReadOnlyList<string> Missing { get; }

    /// <summary>Checkpoint tensors the module has no place for.</summary>
    public IReadOnlyList<string> Unexpected { get; }

    /// <summary>Tensors present on both sides with different shapes, described as <c>name: checkpoint [..] vs module [..]</c>.</summary>
    public IReadOnlyList<string> ShapeMismatches { get; }

    private static string Describe(IReadOnlyList<string> missing, IReadOnlyList<string> unexpected, IReadOnlyList<string> shapes)
    {
        var parts = new List<string>();
        if (missing.Count > 0)
        {
            parts.Add($"missing {missing.Count} tensor(s): {string.Join(", ", missing)}");
        }
        if (unexpected.Count > 0)
        {
            parts.Add($"unexpected {unexpected.Count} tensor(s): {string.Join(", ", unexpected)}");
        }
        if (shapes.Count > 0)
        {
            parts.Add($"{shapes.Count} shape mismatch(es): {string.Join("; ", shapes)}");
        }
        return "The checkpoint does not match the module: " + string.Join("; ", parts) + ".";
    }
}
