namespace ContextPress.Predictor.Compression;

/// <summary>The input statistics of every block projection of a model, by HF name; disposes them all.</summary>
public sealed class CalibrationStatistics : IDisposable
{
    private readonly Dictionary<string, LinearInputStatistics> _byLinear;
    private readonly List<LinearInputStatistics> _distinct;

    internal CalibrationStatistics(Dictionary<string, LinearInputStatistics> byLinear, List<LinearInputStatistics> distinct, int windows, int windowLength)
    {
        _byLinear = byLinear;
        _distinct = distinct;
        Windows = windows;
        WindowLength = windowLength;
    }

    /// <summary>Windows that were run.</summary>
    public int Windows { get; }

    /// <summary>Tokens per window.</summary>
    public int WindowLength { get; }

    /// <summary>Names of the projections that have statistics.</summary>
    public IReadOnlyCollection<string> LinearNames => _byLinear.Keys;

    /// <summary>Number of distinct inputs (fewer than projections: q/k/v and gate/up share theirs).</summary>
    public int DistinctInputs => _distinct.Count;

    /// <summary>The statistics of the input of projection <paramref name="linearName"/> (shared with the projections that read the same input).</summary>
    /// <exception cref="KeyNotFoundException">No statistics for that name.</exception>
    public LinearInputStatistics For(string linearName) =>
        _byLinear.TryGetValue(linearName, out var statistics)
            ? statistics
            : throw new KeyNotFoundException($"No calibration statistics for '{linearName}'.");

    /// <summary>Frees every Gram matrix.</summary>
    public void Dispose()
    {
        foreach (var statistics in _distinct)
        {
            statistics.Dispose();
        }
    }
}
