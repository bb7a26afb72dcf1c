using static TorchSharp.torch;

namespace ContextPress.Predictor.Compression;

/// <summary>How much calibration text to run and how to accumulate its statistics.</summary>
public sealed class CalibrationOptions
{
    /// <summary>Number of token windows (GPTQ, SparseGPT and Wanda use 128). Default 128.</summary>
    public int Windows { get; set; } = 128;

    /// <summary>Tokens per window (the papers use 2,048; small models use their context). Default 256.</summary>
    public int WindowLength { get; set; } = 256;

    /// <summary>Windows per forward pass. Default 8.</summary>
    public int BatchSize { get; set; } = 8;

    /// <summary>
    /// Accumulation dtype of the Gram matrices: <see cref="ScalarType.Float64"/> (the default; Cholesky and SVD of the
    /// Gram need it for ill-conditioned inputs) or <see cref="ScalarType.Float32"/> (half the memory, for large layers).
    /// </summary>
    public ScalarType Precision { get; set; } = ScalarType.Float64;

    /// <summary>Checks the values; returns this.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A count is not positive, or the precision is not fp32/fp64.</exception>
    public CalibrationOptions Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Windows, nameof(Windows));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(WindowLength, nameof(WindowLength));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(BatchSize, nameof(BatchSize));
        if (Precision is not (ScalarType.Float64 or ScalarType.Float32))
        {
            throw new ArgumentOutOfRangeException(nameof(Precision), Precision, "Calibration accumulates in Float64 or Float32.");
        }
        return this;
    }
}
