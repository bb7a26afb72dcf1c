namespace ContextPress.Predictor.Compression;

/// <summary>What compressing one projection did.</summary>
/// <param name="Name">HF name.</param>
/// <param name="Layout">How it is stored now.</param>
/// <param name="DenseBytes">Bytes of its dense weight and bias before, in the model's dtype.</param>
/// <param name="StoredBytes">Bytes of everything it stores now.</param>
/// <param name="RelativeOutputError">
/// ‖(W − Ŵ)Xᵀ‖_F / ‖WXᵀ‖_F over the calibration inputs X, computed from their Gram matrix G = XᵀX as
/// √(tr(ΔW G ΔWᵀ) / tr(W G Wᵀ)) (correction included).
/// </param>
public sealed record LinearCompressionReport(string Name, CompressedLinearLayout Layout, long DenseBytes, long StoredBytes, double RelativeOutputError);

/// <summary>What <see cref="ModelCompressor.Compress"/> did to a model.</summary>
public sealed record ModelCompressionResult
{
    /// <summary>The method's name.</summary>
    public required string Method { get; init; }

    /// <summary>One report per compressed projection, in forward order (projections the method kept dense are absent).</summary>
    public required IReadOnlyList<LinearCompressionReport> Layers { get; init; }

    /// <summary>Projections the method was offered but kept dense (a rank allocation found them cheaper dense), in forward order.</summary>
    public IReadOnlyList<string> KeptDense { get; init; } = [];

    /// <summary>Bytes of the compressed projections' dense weights and biases before.</summary>
    public long DenseLinearBytes => Layers.Sum(l => l.DenseBytes);

    /// <summary>Bytes the compressed projections store now.</summary>
    public long StoredLinearBytes => Layers.Sum(l => l.StoredBytes);

    /// <summary>Bytes of the whole model's state before (embeddings, norms and head included).</summary>
    public required long DenseModelBytes { get; init; }

    /// <summary>Bytes of the whole model's state after.</summary>
    public required long StoredModelBytes { get; init; }

    /// <summary>
    /// Mean relative output error over every projection offered to the method, those it kept dense counting as 0, so
    /// that methods compressing different sets of layers compare on the same footing.
    /// </summary>
    public double MeanRelativeOutputError => Layers.Count == 0 ? 0 : Layers.Sum(l => l.RelativeOutputError) / (Layers.Count + KeptDense.Count);
}
