using static TorchSharp.torch;

namespace ContextPress.Predictor.Compression;

/// <summary>Argument checks shared by the quantizers and pruners.</summary>
internal static class WeightChecks
{
    public static void ThrowIfNotMatrix(Tensor weight, string paramName = "weight")
    {
        ArgumentNullException.ThrowIfNull(weight, paramName);
        if (weight.dim() != 2 || !weight.is_floating_point() || weight.shape[0] == 0 || weight.shape[1] == 0)
        {
            throw new ArgumentException(
                $"The weight must be a non-empty 2-D floating tensor [out, in]; got {weight.dtype} [{string.Join(", ", weight.shape)}].", paramName);
        }
    }

    public static void ThrowIfNotHessian(Tensor hessian, long columns)
    {
        ArgumentNullException.ThrowIfNull(hessian);
        if (hessian.dim() != 2 || hessian.shape[0] != columns || hessian.shape[1] != columns || !hessian.is_floating_point())
        {
            throw new ArgumentException(
                $"The Hessian must be a floating [in, in] = [{columns}, {columns}] matrix; got {hessian.dtype} [{string.Join(", ", hessian.shape)}].",
                nameof(hessian));
        }
    }
}
