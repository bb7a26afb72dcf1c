using static TorchSharp.torch;

namespace ContextPress.Predictor.Compression;

/// <summary>EoRA as an <see cref="ILinearCorrector"/>: a rank-k correction of the compression error in the activations' eigenspace.</summary>
/// <param name="rank">The correction's rank (capped at each layer's min(out, in)).</param>
public sealed class EoraCorrector(int rank) : ILinearCorrector
{
    /// <inheritdoc />
    public int Rank { get; } = rank > 0 ? rank : throw new ArgumentOutOfRangeException(nameof(rank), rank, "The correction rank must be at least 1.");

    /// <inheritdoc />
    public (Tensor Down, Tensor Up) Correct(string name, Tensor original, Tensor compressed, LinearInputStatistics statistics)
    {
        ArgumentNullException.ThrowIfNull(original);
        ArgumentNullException.ThrowIfNull(statistics);
        var k = (int)Math.Min(Rank, Math.Min(original.shape[0], original.shape[1]));
        using var correction = Eora.Compensate(original, compressed, statistics.Gram, k);
        return (correction.Down.clone(), correction.Up.clone());
    }
}
