using static TorchSharp.torch;

namespace ContextPress.Predictor.Compression;

/// <summary>
/// One compression method applied to block projections (round-to-nearest, GPTQ, Wanda, SVD-LLM, ...). The
/// <see cref="ModelCompressor"/> calls <see cref="Prepare"/> once with every projection it will compress, then
/// <see cref="Compress"/> for each in turn, and installs what it returns.
/// </summary>
public interface ILinearCompressor
{
    /// <summary>The method's name as recorded in the checkpoint (<c>rtn</c>, <c>gptq</c>, <c>svd-llm</c>, ...).</summary>
    string Method { get; }

    /// <summary>
    /// Called once before any <see cref="Compress"/> with every projection to be compressed, for methods that share a
    /// budget across layers (per-layer rank allocation). The default does nothing.
    /// </summary>
    void Prepare(LinearCompressionPlan plan)
    {
    }

    /// <summary>
    /// Compresses one projection. Return a <see cref="QuantizedLinear"/>, <see cref="LowRankLinear"/> or
    /// <see cref="SparseLinear"/> (the bias may be left out: the driver sets it), or null to keep the projection dense
    /// (a rank allocation may find a layer cheaper dense). The input's tensors belong to the caller.
    /// </summary>
    CompressedLinear? Compress(LinearCompressionInput input);
}

/// <summary>One projection to compress.</summary>
/// <param name="Name">HF name, e.g. <c>model.layers.3.self_attn.q_proj</c>.</param>
/// <param name="Weight">The dense weight [out, in] in fp32 on the model's device (a copy the compressor may modify).</param>
/// <param name="Bias">The bias [out], or null.</param>
/// <param name="Statistics">The calibration statistics of its input.</param>
/// <param name="ComputeType">The model's parameter dtype, for the factors or weights a compressor stores.</param>
public sealed record LinearCompressionInput(string Name, Tensor Weight, Tensor? Bias, LinearInputStatistics Statistics, ScalarType ComputeType);

/// <summary>Every projection a <see cref="ModelCompressor"/> will compress, for methods that plan across layers.</summary>
public sealed class LinearCompressionPlan
{
    private readonly Func<string, Tensor> _weight;

    internal LinearCompressionPlan(IReadOnlyList<string> names, Func<string, Tensor> weight, CalibrationStatistics statistics)
    {
        Names = names;
        _weight = weight;
        Statistics = statistics;
    }

    /// <summary>The projections' HF names, in forward order.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>The calibration statistics.</summary>
    public CalibrationStatistics Statistics { get; }

    /// <summary>A fp32 copy of a projection's dense weight [out, in], in the caller's dispose scope.</summary>
    public Tensor GetWeight(string name) => _weight(name);
}

/// <summary>
/// Computes a low-rank correction of a compressed weight's error (EoRA): factors with Up·Down ≈ W − Ŵ in the
/// activations' eigenspace, added to the compressed projection's output.
/// </summary>
public interface ILinearCorrector
{
    /// <summary>The correction's rank.</summary>
    int Rank { get; }

    /// <summary>Returns (Down [r, in], Up [out, r]) for the error of <paramref name="compressed"/> against <paramref name="original"/> (both fp32 [out, in]).</summary>
    (Tensor Down, Tensor Up) Correct(string name, Tensor original, Tensor compressed, LinearInputStatistics statistics);
}
