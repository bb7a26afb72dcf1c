namespace ContextPress.Predictor.Compression;

/// <summary>
/// The <c>compression.json</c> sidecar of a compressed checkpoint: method and settings, calibration, bytes, and each
/// compressed projection's layout, stored bytes and error. Informational; loading reads the safetensors metadata.
/// </summary>
public sealed record CompressionManifest
{
    /// <summary>Always <see cref="CompressedCheckpoint.Format"/>.</summary>
    public string Format { get; init; } = CompressedCheckpoint.Format;

    /// <summary>The method (<c>rtn</c>, <c>gptq</c>, <c>wanda</c>, <c>svd-llm</c>, ...).</summary>
    public required string Method { get; init; }

    /// <summary>The method's settings as given (bits, group size, sparsity, pattern, ratio, correction rank).</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();

    /// <summary>The calibration the statistics came from, or null.</summary>
    public CalibrationManifest? Calibration { get; init; }

    /// <summary>Bytes of the compressed projections before.</summary>
    public long DenseLinearBytes { get; init; }

    /// <summary>Bytes of the compressed projections after.</summary>
    public long StoredLinearBytes { get; init; }

    /// <summary>Bytes of the whole model's state before.</summary>
    public long DenseModelBytes { get; init; }

    /// <summary>Bytes of the whole model's state after.</summary>
    public long StoredModelBytes { get; init; }

    /// <summary>Mean relative output error over the projections offered to the method (those kept dense count as 0).</summary>
    public double MeanRelativeOutputError { get; init; }

    /// <summary>Each compressed projection, in forward order.</summary>
    public IReadOnlyList<CompressedLayerManifest> Layers { get; init; } = [];

    /// <summary>Projections the method kept dense.</summary>
    public IReadOnlyList<string> KeptDense { get; init; } = [];

    /// <summary>Builds the manifest of a compression run.</summary>
    public static CompressionManifest From(ModelCompressionResult result, IReadOnlyDictionary<string, string>? settings = null, CalibrationSet? calibration = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        return new CompressionManifest
        {
            Method = result.Method,
            Settings = settings ?? new Dictionary<string, string>(),
            Calibration = calibration is null ? null : new CalibrationManifest
            {
                File = calibration.Source is null ? null : Path.GetFileName(calibration.Source),
                Sha256 = calibration.Sha256,
                Windows = calibration.Windows.Count,
                WindowLength = calibration.WindowLength,
                Tokens = calibration.Tokens,
            },
            DenseLinearBytes = result.DenseLinearBytes,
            StoredLinearBytes = result.StoredLinearBytes,
            DenseModelBytes = result.DenseModelBytes,
            StoredModelBytes = result.StoredModelBytes,
            MeanRelativeOutputError = result.MeanRelativeOutputError,
            KeptDense = result.KeptDense,
            Layers = result.Layers.Select(l => new CompressedLayerManifest
            {
                Name = l.Name,
                Layout = l.Layout,
                DenseBytes = l.DenseBytes,
                StoredBytes = l.StoredBytes,
                RelativeOutputError = l.RelativeOutputError,
            }).ToList(),
        };
    }
}

/// <summary>The calibration of a compressed checkpoint.</summary>
public sealed record CalibrationManifest
{
    /// <summary>The calibration file's name, or null.</summary>
    public string? File { get; init; }

    /// <summary>SHA-256 of its text.</summary>
    public required string Sha256 { get; init; }

    /// <summary>Windows run.</summary>
    public int Windows { get; init; }

    /// <summary>Tokens per window.</summary>
    public int WindowLength { get; init; }

    /// <summary>Tokens run.</summary>
    public long Tokens { get; init; }
}

/// <summary>One compressed projection in <c>compression.json</c>.</summary>
public sealed record CompressedLayerManifest
{
    /// <summary>HF name.</summary>
    public required string Name { get; init; }

    /// <summary>How it is stored.</summary>
    public required CompressedLinearLayout Layout { get; init; }

    /// <summary>Bytes before.</summary>
    public long DenseBytes { get; init; }

    /// <summary>Bytes after.</summary>
    public long StoredBytes { get; init; }

    /// <summary>Relative output error on the calibration inputs.</summary>
    public double RelativeOutputError { get; init; }
}
