using static TorchSharp.torch;

namespace ContextPress.Predictor.Compression;

/// <summary>
/// SparseGPT (Frantar &amp; Alistarh, ICML 2023): the GPTQ sweep with "quantize" replaced by "zero if masked". The mask
/// keeps the weights with the largest OBS saliency w² / [U_ii]² (U the upper Cholesky factor of H⁻¹); each removed
/// weight's error is spread over the columns not yet visited, so the kept weights compensate for it.
/// </summary>
public static class SparseGpt
{
    /// <summary>A pruned and updated copy of <paramref name="weight"/> [out, in], in its dtype.</summary>
    /// <param name="weight">The weight [out, in], any floating dtype (fp64 is computed in fp64, others in fp32).</param>
    /// <param name="hessian">Σ xᵀx (or its mean) over calibration tokens, [in, in].</param>
    /// <param name="pattern">
    /// Unstructured: ⌊sparsity·out·in⌋ zeros in all, chosen block by block (block b gets its share of the cumulative
    /// count, so the total is exact). N:M: n zeros in every m consecutive inputs of each row, chosen when the sweep reaches
    /// the group.
    /// </param>
    /// <param name="options">Damping and block size.</param>
    /// <exception cref="ArgumentException">Bad shapes, a non-finite or negative-diagonal Hessian, or M not dividing in.</exception>
    /// <exception cref="InvalidOperationException">The damped Hessian is not positive definite.</exception>
    public static Tensor Prune(Tensor weight, Tensor hessian, SparsityPattern pattern, SparseGptOptions? options = null)
    {
        WeightChecks.ThrowIfNotMatrix(weight);
        ArgumentNullException.ThrowIfNull(pattern);
        var rows = weight.shape[0];
        var columns = weight.shape[1];
        WeightChecks.ThrowIfNotHessian(hessian, columns);
        options ??= new SparseGptOptions();
        options.Validate();
        long blockSize = options.BlockSize;
        if (pattern is NofMSparsity nm)
        {
            nm.ThrowIfNotDividing(columns);
            blockSize = Math.Max(1, blockSize / nm.M) * nm.M;
        }

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var computeType = MinMaxQuantizer.ComputeType(weight);
        var inverse = HessianInverse.Compute(hessian, options.PercentDamp, actOrder: false, computeType, weight.device);
        var w = weight.to(computeType, copy: true);
        w.masked_fill_(inverse.Dead.unsqueeze(0), 0);
        var upper = inverse.Upper;

        for (long i1 = 0; i1 < columns; i1 += blockSize)
        {
            using var blockScope = NewDisposeScope();
            var count = Math.Min(blockSize, columns - i1);
            var block = w.narrow(1, i1, count).clone();
            var errors = zeros(rows, count, computeType, w.device);
            var upperBlock = upper.narrow(0, i1, count).narrow(1, i1, count);
            var saliencyScale = upperBlock.diagonal().square().unsqueeze(0);
            var mask = zeros(rows, count, ScalarType.Bool, w.device);
            if (pattern is UnstructuredSparsity unstructured)
            {
                var k = unstructured.ZeroCount(rows * (i1 + count)) - unstructured.ZeroCount(rows * i1);
                if (k > 0)
                {
                    var saliency = block.square().div_(saliencyScale).flatten();
                    var (_, lowest) = saliency.topk((int)k, largest: false);
                    mask.view(-1).index_fill_(0, lowest, true);
                }
            }
            for (long i = 0; i < count; i++)
            {
                using var columnScope = NewDisposeScope();
                if (pattern is NofMSparsity groupPattern && i % groupPattern.M == 0)
                {
                    var saliency = block.narrow(1, i, groupPattern.M).square().div_(saliencyScale.narrow(1, i, groupPattern.M));
                    var (_, lowest) = saliency.topk(groupPattern.N, dim: 1, largest: false);
                    mask.narrow(1, i, groupPattern.M).scatter_(1, lowest, ones_like(lowest, ScalarType.Bool));
                }
                var current = block.select(1, i);
                var removed = mask.select(1, i);
                // Only removed weights have an error: err = w / U_ii where masked, 0 elsewhere.
                var error = current.masked_fill(removed.logical_not(), 0).div_(upperBlock[i, i]);
                current.masked_fill_(removed, 0);
                if (i + 1 < count)
                {
                    var rest = count - i - 1;
                    block.narrow(1, i + 1, rest).addr_(error, upperBlock[i].narrow(0, i + 1, rest), alpha: -1);
                }
                errors.select(1, i).copy_(error);
            }
            w.narrow(1, i1, count).copy_(block);
            var after = columns - i1 - count;
            if (after > 0)
            {
                w.narrow(1, i1 + count, after).sub_(errors.matmul(upper.narrow(0, i1, count).narrow(1, i1 + count, after)));
            }
        }
        return w.to_type(weight.dtype).MoveToOuterDisposeScope();
    }
}
