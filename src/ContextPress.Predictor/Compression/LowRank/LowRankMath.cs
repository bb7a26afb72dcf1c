using static TorchSharp.torch;

namespace ContextPress.Predictor.Compression;

/// <summary>Argument checks and fp64 building blocks shared by the low-rank factorizations and EoRA.</summary>
internal static class LowRankMath
{
    /// <summary>Relative jitter of the first retry when a Gram matrix is not positive definite (× mean diagonal).</summary>
    internal const double FirstJitter = 1e-10;

    /// <summary>Each retry multiplies the jitter by this; the last try adds the whole mean diagonal.</summary>
    internal const double JitterGrowth = 10;

    public static void CheckWeight(Tensor weight, string paramName)
    {
        ArgumentNullException.ThrowIfNull(weight, paramName);
        if (weight.dim() != 2)
        {
            throw new ArgumentException($"{paramName} must be a matrix [out, in]; got shape [{string.Join(", ", weight.shape)}].", paramName);
        }
        if (!weight.is_floating_point())
        {
            throw new ArgumentException($"{paramName} must be floating point; got {weight.dtype}.", paramName);
        }
        if (weight.shape[0] < 1 || weight.shape[1] < 1)
        {
            throw new ArgumentException($"{paramName} must not be empty; got shape [{weight.shape[0]}, {weight.shape[1]}].", paramName);
        }
        CheckFinite(weight, paramName);
    }

    public static void CheckRank(int rank, Tensor weight)
    {
        var max = Math.Min(weight.shape[0], weight.shape[1]);
        if (rank < 1 || rank > max)
        {
            throw new ArgumentOutOfRangeException(nameof(rank), rank, $"rank must be between 1 and min(out, in) = {max} for a [{weight.shape[0]}, {weight.shape[1]}] weight.");
        }
    }

    public static void CheckGram(Tensor gram, long inFeatures, string paramName)
    {
        ArgumentNullException.ThrowIfNull(gram, paramName);
        if (gram.dim() != 2 || gram.shape[0] != inFeatures || gram.shape[1] != inFeatures)
        {
            throw new ArgumentException($"{paramName} must be the [in, in] = [{inFeatures}, {inFeatures}] Gram matrix Σ xᵀx of the layer's inputs; got shape [{string.Join(", ", gram.shape)}].", paramName);
        }
        if (!gram.is_floating_point())
        {
            throw new ArgumentException($"{paramName} must be floating point; got {gram.dtype}.", paramName);
        }
        CheckFinite(gram, paramName);
    }

    public static void CheckFinite(Tensor tensor, string paramName)
    {
        using var finite = isfinite(tensor);
        using var all = finite.all();
        if (!all.item<bool>())
        {
            throw new ArgumentException($"{paramName} contains NaN or infinite values.", paramName);
        }
    }

    /// <summary>(G + Gᵀ)/2 in fp64: accumulated Gram matrices are symmetric only up to rounding.</summary>
    public static Tensor SymmetricFloat64(Tensor gram)
    {
        var g = gram.to(ScalarType.Float64);
        return (g + g.t()) * 0.5;
    }

    /// <summary>
    /// Lower Cholesky factor of G + λI with λ = <paramref name="damping"/>·mean(diag G). When that is not positive definite,
    /// retries with λ = 1e-10·mean(diag G), growing ×10 per try up to the whole mean diagonal.
    /// </summary>
    public static Tensor CholeskyWithJitter(Tensor gram64, double damping, string paramName)
    {
        var meanDiagonal = gram64.diagonal().mean().item<double>();
        if (!(meanDiagonal > 0))
        {
            throw new ArgumentException($"{paramName} has no positive diagonal (mean {meanDiagonal}); it is not a Gram matrix of nonzero inputs.", paramName);
        }
        var n = gram64.shape[0];
        var jitter = damping * meanDiagonal;
        while (true)
        {
            using var scope = NewDisposeScope();
            var damped = jitter > 0 ? gram64 + eye(n, dtype: ScalarType.Float64, device: gram64.device) * jitter : gram64;
            var (factor, info) = linalg.cholesky_ex(damped);
            if (info.item<int>() == 0)
            {
                return factor.MoveToOuterDisposeScope();
            }
            if (jitter >= meanDiagonal)
            {
                throw new ArgumentException($"{paramName} is not positive semidefinite: its Cholesky factorization fails even with {jitter:G3}·I added.", paramName);
            }
            jitter = Math.Min(meanDiagonal, Math.Max(jitter * JitterGrowth, FirstJitter * meanDiagonal));
        }
    }

    /// <summary>
    /// Truncated SVD of <paramref name="matrix"/> (fp64) to rank k, split as U_k√Σ_k and √Σ_k V_kᵀ.
    /// </summary>
    public static (Tensor Up, Tensor DownWhitened) TruncatedBalancedSvd(Tensor matrix, int rank)
    {
        using var scope = NewDisposeScope();
        var (u, s, vh) = linalg.svd(matrix, fullMatrices: false);
        var root = s.narrow(0, 0, rank).sqrt();
        var up = u.narrow(1, 0, rank) * root.unsqueeze(0);
        var down = vh.narrow(0, 0, rank) * root.unsqueeze(1);
        return (up.MoveToOuterDisposeScope(), down.MoveToOuterDisposeScope());
    }

    /// <summary>Casts both fp64 factors to the weight's dtype and device and wraps them (the wrapper detaches them from the scope).</summary>
    public static LowRankWeight ToWeight(Tensor up64, Tensor down64, Tensor like) =>
        new(up64.to(like.dtype, like.device), down64.to(like.dtype, like.device));
}
