namespace ContextPress.Predictor.Compression;

/// <summary>Options of <see cref="ModelCompressor"/>.</summary>
public sealed class ModelCompressorOptions
{
    /// <summary>Which block projections to compress (by HF name); null compresses all of them.</summary>
    public Func<string, bool>? Include { get; set; }

    /// <summary>A low-rank correction of each compressed projection's error (EoRA), or null for none.</summary>
    public ILinearCorrector? Correction { get; set; }

    /// <summary>Called after each projection is compressed (progress reporting).</summary>
    public Action<LinearCompressionReport>? LayerCompressed { get; set; }
}
