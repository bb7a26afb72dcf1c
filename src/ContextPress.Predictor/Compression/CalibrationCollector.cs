using static TorchSharp.torch;

namespace ContextPress.Predictor.Compression;

/// <summary>
/// Runs a model over calibration windows and accumulates, for every block projection, the Gram matrix and mean |x| of
/// its input. Inputs that several projections read (q/k/v; gate/up) are accumulated once, so memory is one [in, in]
/// matrix per distinct input: 4 per layer. The statistics come from the dense model in one pass (not layer by layer
/// through already-compressed layers, which GPTQ's sequential mode does; see the README).
/// </summary>
public static class CalibrationCollector
{
    /// <summary>Collects statistics over <paramref name="calibration"/>'s windows, in batches of <see cref="CalibrationOptions.BatchSize"/>.</summary>
    /// <exception cref="ArgumentException">A token id is outside the model's vocabulary, or the windows have different lengths.</exception>
    public static CalibrationStatistics Collect(CausalLM model, CalibrationSet calibration, CalibrationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(calibration);
        return Collect(model, calibration.Windows, options, cancellationToken);
    }

    /// <summary>Collects statistics over token windows of equal length.</summary>
    /// <exception cref="ArgumentException">No windows, windows of different lengths, or a token id outside the vocabulary.</exception>
    public static CalibrationStatistics Collect(CausalLM model, IReadOnlyList<IReadOnlyList<int>> windows, CalibrationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(windows);
        options = (options ?? new CalibrationOptions()).Validate();
        if (windows.Count == 0)
        {
            throw new ArgumentException("Calibration needs at least one window.", nameof(windows));
        }
        var length = windows[0].Count;
        if (length == 0 || windows.Any(w => w.Count != length))
        {
            throw new ArgumentException("Calibration windows must be non-empty and all of the same length.", nameof(windows));
        }
        var vocab = model.Config.VocabSize;
        if (windows.SelectMany(w => w).Any(id => id < 0 || id >= vocab))
        {
            throw new ArgumentException($"A calibration token id is outside the vocabulary [0, {vocab}).", nameof(windows));
        }

        var observer = new Observer(model, options.Precision);
        var previous = model.LinearInputObserver;
        model.LinearInputObserver = observer;
        try
        {
            for (var start = 0; start < windows.Count; start += options.BatchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                var batch = windows.Skip(start).Take(options.BatchSize).ToList();
                var ids = tensor(batch.SelectMany(w => w.Select(i => (long)i)).ToArray(), [batch.Count, length], ScalarType.Int64);
                model.Forward(ids);
            }
            return observer.ToStatistics(windows.Count, length);
        }
        catch
        {
            observer.Dispose();
            throw;
        }
        finally
        {
            model.LinearInputObserver = previous;
        }
    }

    private sealed class Observer(CausalLM model, ScalarType precision) : ILinearInputObserver, IDisposable
    {
        private readonly Dictionary<(int Layer, LinearInputSite Site), LinearInputStatistics> _sites = [];

        public void Observe(int layer, LinearInputSite site, Tensor input)
        {
            if (!_sites.TryGetValue((layer, site), out var statistics))
            {
                statistics = new LinearInputStatistics(input.shape[^1], precision, model.Device);
                _sites.Add((layer, site), statistics);
            }
            statistics.Accumulate(input);
        }

        public CalibrationStatistics ToStatistics(int windows, int length)
        {
            var byLinear = new Dictionary<string, LinearInputStatistics>(StringComparer.Ordinal);
            foreach (var ((layer, site), statistics) in _sites)
            {
                foreach (var name in BlockLinearNames.For(layer, site))
                {
                    byLinear[name] = statistics;
                }
            }
            return new CalibrationStatistics(byLinear, _sites.Values.ToList(), windows, length);
        }

        public void Dispose()
        {
            foreach (var statistics in _sites.Values)
            {
                statistics.Dispose();
            }
        }
    }
}
