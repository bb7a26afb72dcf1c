using static TorchSharp.torch;

namespace ContextPress.Predictor.Compression;

/// <summary>
/// Statistics of one projection input over the calibration tokens: the Gram matrix G = Σ xᵀx [in, in] and the
/// per-channel sum of |x|. Projections that read the same input (q/k/v; gate/up) share one instance.
/// The tensors live on the model's device and belong to this object.
/// </summary>
public sealed class LinearInputStatistics : IDisposable
{
    private readonly Tensor _gram;
    private readonly Tensor _absSum;

    internal LinearInputStatistics(long features, ScalarType precision, Device device)
    {
        _gram = zeros([features, features], precision, device).DetachFromDisposeScope();
        _absSum = zeros([features], precision, device).DetachFromDisposeScope();
    }

    /// <summary>Input width.</summary>
    public long Features => _gram.shape[0];

    /// <summary>Number of input vectors (tokens) accumulated.</summary>
    public long Tokens { get; private set; }

    /// <summary>G = Σ xᵀx over all tokens, [in, in] (owned by this object; do not dispose).</summary>
    public Tensor Gram => _gram;

    /// <summary>Σ|x| per input channel, [in] (owned by this object).</summary>
    public Tensor AbsoluteSum => _absSum;

    /// <summary>Mean |x| per input channel, [in], in the caller's dispose scope (AWQ/ASVD scaling).</summary>
    public Tensor MeanAbsolute() => _absSum / Math.Max(1, Tokens);

    /// <summary>‖X_j‖² per input channel (the Gram's diagonal), [in], in the caller's dispose scope (Wanda's metric).</summary>
    public Tensor SquaredNorm() => _gram.diagonal().clone();

    /// <summary>The mean Gram G / tokens (GPTQ's H up to the factor 2), in the caller's dispose scope.</summary>
    public Tensor MeanGram() => _gram / Math.Max(1, Tokens);

    /// <summary>Adds the rows of <paramref name="input"/> ([..., in]).</summary>
    internal void Accumulate(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = input.reshape(-1, Features).to_type(_gram.dtype);
        _gram.add_(x.t().mm(x));
        _absSum.add_(x.abs().sum(dim: 0));
        Tokens += x.shape[0];
    }

    /// <summary>Frees the tensors.</summary>
    public void Dispose()
    {
        _gram.Dispose();
        _absSum.Dispose();
    }
}
