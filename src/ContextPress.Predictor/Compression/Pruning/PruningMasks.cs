using static TorchSharp.torch;

namespace ContextPress.Predictor.Compression;

/// <summary>Masks of the weights to remove from a score (lowest scores go), shared by magnitude pruning and Wanda.</summary>
internal static class PruningMasks
{
    /// <summary>Boolean [out, in], true where the weight is removed; scores compared within each row.</summary>
    public static Tensor PerRow(Tensor score, SparsityPattern pattern)
    {
        using var scope = NewDisposeScope();
        var rows = score.shape[0];
        var columns = score.shape[1];
        var mask = zeros(rows, columns, ScalarType.Bool, score.device);
        switch (pattern)
        {
            case UnstructuredSparsity unstructured:
                var k = unstructured.ZeroCount(columns);
                if (k > 0)
                {
                    var (_, lowest) = score.topk((int)k, dim: 1, largest: false);
                    mask.scatter_(1, lowest, ones_like(lowest, ScalarType.Bool));
                }
                break;
            case NofMSparsity nm:
                nm.ThrowIfNotDividing(columns);
                var grouped = mask.view(rows, columns / nm.M, nm.M);
                var (_, lowestInGroup) = score.view(rows, columns / nm.M, nm.M).topk(nm.N, dim: 2, largest: false);
                grouped.scatter_(2, lowestInGroup, ones_like(lowestInGroup, ScalarType.Bool));
                break;
            default:
                throw new ArgumentException($"Unknown sparsity pattern {pattern}.", nameof(pattern));
        }
        return mask.MoveToOuterDisposeScope();
    }

    /// <summary>A copy of <paramref name="weight"/> with the masked weights set to zero.</summary>
    public static Tensor Apply(Tensor weight, Tensor mask)
    {
        using var scope = NewDisposeScope();
        return weight.masked_fill(mask, 0).MoveToOuterDisposeScope();
    }
}
