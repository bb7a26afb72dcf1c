using static TorchSharp.torch;

namespace ContextPress.Predictor.Compression;

/// <summary>
/// GPTQ (Frantar et al., ICLR 2023): quantizes one column at a time and spreads each column's error over the columns
/// not yet quantized with the OBS update W[:, j] −= (w_i − q_i) / U_ii · U_ij, U the upper Cholesky factor of H⁻¹,
/// which minimises ‖(W − Ŵ)Xᵀ‖² on the calibration inputs column by column.
/// </summary>
public static class Gptq
{
    /// <summary>Quantizes <paramref name="weight"/> [out, in] given the calibration Hessian H = Σ xᵀx [in, in].</summary>
    /// <param name="weight">The weight [out, in], any floating dtype (fp64 is computed in fp64, others in fp32).</param>
    /// <param name="hessian">Σ xᵀx (or its mean) over calibration tokens, [in, in].</param>
    /// <param name="spec">The quantization grid.</param>
    /// <param name="options">Damping, block size, act-order.</param>
    /// <exception cref="ArgumentException">Bad shapes, a non-finite or negative-diagonal Hessian, or a group size that does not divide in.</exception>
    /// <exception cref="InvalidOperationException">The damped Hessian is not positive definite.</exception>
    public static QuantizedTensor Quantize(Tensor weight, Tensor hessian, QuantizationSpec spec, GptqOptions? options = null)
    {
        WeightChecks.ThrowIfNotMatrix(weight);
        ArgumentNullException.ThrowIfNull(spec);
        var rows = weight.shape[0];
        var columns = weight.shape[1];
        WeightChecks.ThrowIfNotHessian(hessian, columns);
        options ??= new GptqOptions();
        options.Validate();
        var groupWidth = spec.GroupWidth(columns);
        var groups = spec.GroupCount(columns);
        // Groups found on the fly (grouped, natural order) must lie inside one block to see its updated columns.
        var dynamicGroups = !spec.IsPerChannel && !options.ActOrder;
        var blockSize = dynamicGroups ? Math.Max(1, options.BlockSize / groupWidth) * groupWidth : options.BlockSize;

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var computeType = MinMaxQuantizer.ComputeType(weight);
        var inverse = HessianInverse.Compute(hessian, options.PercentDamp, options.ActOrder, computeType, weight.device);
        var w = weight.to(computeType, copy: true);
        w.masked_fill_(inverse.Dead.unsqueeze(0), 0);

        var scales = zeros(rows, groups, computeType, w.device);
        var zeroPoints = zeros(rows, groups, computeType, w.device);
        if (!dynamicGroups)
        {
            // Per channel, or act-order's static groups: every grid comes from the (dead-zeroed) weight up front.
            var (s, z) = MinMaxQuantizer.FindParameters(w.view(rows, groups, groupWidth), spec);
            scales.copy_(s);
            zeroPoints.copy_(z);
        }

        long[]? order = null;
        if (inverse.Permutation is { } permutation)
        {
            order = permutation.cpu().data<long>().ToArray();
            w = w.index_select(1, permutation);
        }

        var codes = zeros(rows, columns, computeType, w.device);
        var upper = inverse.Upper;
        for (long i1 = 0; i1 < columns; i1 += blockSize)
        {
            using var blockScope = NewDisposeScope();
            var count = Math.Min(blockSize, columns - i1);
            var block = w.narrow(1, i1, count).clone();
            var errors = zeros(rows, count, computeType, w.device);
            var upperBlock = upper.narrow(0, i1, count).narrow(1, i1, count);
            for (long i = 0; i < count; i++)
            {
                using var columnScope = NewDisposeScope();
                var column = i1 + i;
                var group = (order is null ? column : order[column]) / groupWidth;
                if (dynamicGroups && column % groupWidth == 0)
                {
                    var (s, z) = MinMaxQuantizer.FindParameters(block.narrow(1, i, groupWidth), spec);
                    scales.select(1, group).copy_(s);
                    zeroPoints.select(1, group).copy_(z);
                }
                var scale = scales.select(1, group);
                var zero = zeroPoints.select(1, group);
                var current = block.select(1, i);
                var q = MinMaxQuantizer.Codes(current, scale, zero, spec.MaxCode);
                codes.select(1, column).copy_(q);
                var error = (current - MinMaxQuantizer.Dequantize(q, scale, zero)).div_(upperBlock[i, i]);
                if (i + 1 < count)
                {
                    var rest = count - i - 1;
                    block.narrow(1, i + 1, rest).addr_(error, upperBlock[i].narrow(0, i + 1, rest), alpha: -1);
                }
                errors.select(1, i).copy_(error);
            }
            var after = columns - i1 - count;
            if (after > 0)
            {
                w.narrow(1, i1 + count, after).sub_(errors.matmul(upper.narrow(0, i1, count).narrow(1, i1 + count, after)));
            }
        }

        if (inverse.Permutation is { } perm)
        {
            codes = codes.index_select(1, argsort(perm));
        }
        return new QuantizedTensor(
            codes.to_type(ScalarType.Byte),
            scales.to_type(ScalarType.Float32),
            zeroPoints.to_type(ScalarType.Float32),
            spec);
    }
}
