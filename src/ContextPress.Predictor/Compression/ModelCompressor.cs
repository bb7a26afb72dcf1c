using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ContextPress.Predictor.Compression;

/// <summary>
/// Compresses a model's block projections with any <see cref="ILinearCompressor"/>: for each projection (in forward
/// order) it hands the compressor the dense weight and its input statistics, adds the optional correction, measures the
/// relative output error on the calibration inputs, and swaps the module in place. Pruned projections without a
/// correction stay plain Linears holding the pruned weight (so they still fuse). Fusion is redone at the end.
/// </summary>
public static class ModelCompressor
{
    /// <summary>Compresses <paramref name="model"/> in place and reports what it did.</summary>
    /// <exception cref="InvalidOperationException">A projection to compress is already compressed, or the compressor returned a module of the wrong shape.</exception>
    public static ModelCompressionResult Compress(CausalLM model, CalibrationStatistics statistics, ILinearCompressor compressor, ModelCompressorOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(statistics);
        ArgumentNullException.ThrowIfNull(compressor);
        options ??= new ModelCompressorOptions();
        var denseModelBytes = StateBytes(model);
        var names = BlockLinearNames.All(model.Config.NumHiddenLayers).Where(n => options.Include?.Invoke(n) ?? true).ToList();
        foreach (var name in names)
        {
            if (model.GetBlockLinear(name) is not Linear)
            {
                throw new InvalidOperationException($"'{name}' is already compressed; compress a dense model.");
            }
        }
        using (var prepareScope = NewDisposeScope())
        {
            compressor.Prepare(new LinearCompressionPlan(names, n => DenseWeight(model, n), statistics));
        }

        var reports = new List<LinearCompressionReport>(names.Count);
        var keptDense = new List<string>();
        using var grad = no_grad();
        foreach (var name in names)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var linear = (Linear)model.GetBlockLinear(name);
            var original = DenseWeight(model, name);
            var bias = linear.bias is { } b ? b.detach().clone() : null;
            var inputStatistics = statistics.For(name);
            var denseBytes = linear.weight!.NumberOfElements * linear.weight.ElementSize + (bias is null ? 0 : bias.NumberOfElements * linear.bias!.ElementSize);

            var module = compressor.Compress(new LinearCompressionInput(name, original.clone(), bias, inputStatistics, model.DType));
            if (module is null)
            {
                keptDense.Add(name);
                continue;
            }
            try
            {
                if (module.InFeatures != original.shape[1] || module.OutFeatures != original.shape[0])
                {
                    throw new InvalidOperationException(
                        $"{compressor.Method} returned a [{module.OutFeatures}, {module.InFeatures}] module for '{name}' [{original.shape[0]}, {original.shape[1]}].");
                }
                module.SetBias(bias);
                if (options.Correction is { } correction)
                {
                    var (down, up) = correction.Correct(name, original, module.ToDense(), inputStatistics);
                    module.SetCorrection(down, up);
                }
                module.to(model.Device);
                var error = RelativeOutputError(original, module.ToDense(), inputStatistics.Gram);
                var layout = module.Layout;
                long storedBytes;
                if (module is SparseLinear && layout.CorrectionRank is null)
                {
                    // Keep the Linear (it fuses with its neighbours); it now holds the pruned weight.
                    linear.weight!.copy_(module.ToDense(linear.weight.dtype));
                    storedBytes = denseBytes;
                    module.Dispose();
                }
                else
                {
                    storedBytes = module.StorageBytes;
                    model.ReplaceBlockLinear(name, module);
                }
                var report = new LinearCompressionReport(name, layout, denseBytes, storedBytes, error);
                reports.Add(report);
                options.LayerCompressed?.Invoke(report);
            }
            catch
            {
                module.Dispose();
                throw;
            }
        }
        model.FuseProjections();
        return new ModelCompressionResult
        {
            Method = compressor.Method,
            Layers = reports,
            KeptDense = keptDense,
            DenseModelBytes = denseModelBytes,
            StoredModelBytes = StateBytes(model),
        };
    }

    /// <summary>
    /// √(tr(ΔW G ΔWᵀ) / tr(W G Wᵀ)) with ΔW = W − Ŵ: the relative Frobenius error of the outputs over inputs whose Gram
    /// matrix is <paramref name="gram"/> (computed in fp64; 0 when W's outputs are all zero).
    /// </summary>
    public static double RelativeOutputError(Tensor original, Tensor compressed, Tensor gram)
    {
        ArgumentNullException.ThrowIfNull(original);
        ArgumentNullException.ThrowIfNull(compressed);
        ArgumentNullException.ThrowIfNull(gram);
        using var scope = NewDisposeScope();
        var g = gram.to_type(ScalarType.Float64);
        var w = original.to(g.device).to_type(ScalarType.Float64);
        var delta = w - compressed.to(g.device).to_type(ScalarType.Float64);
        var error = (delta.mm(g) * delta).sum().item<double>();
        var reference = (w.mm(g) * w).sum().item<double>();
        return reference > 0 ? Math.Sqrt(Math.Max(0, error) / reference) : 0;
    }

    /// <summary>Bytes of every tensor in a model's state dict.</summary>
    public static long StateBytes(nn.Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.state_dict().Values.Sum(t => t.NumberOfElements * t.ElementSize);
    }

    private static Tensor DenseWeight(CausalLM model, string name) => model.GetBlockLinear(name) switch
    {
        Linear linear => linear.weight!.detach().to_type(ScalarType.Float32).clone(),
        CompressedLinear compressed => compressed.ToDense(),
        _ => throw new InvalidOperationException($"'{name}' is neither a Linear nor a compressed projection."),
    };
}
