namespace ContextPress.Predictor.Compression;

/// <summary>
/// A uniform integer weight-quantization grid: <paramref name="Bits"/> bits per weight, one scale and zero point per
/// output row and group of <paramref name="GroupSize"/> consecutive input columns (0 or -1: one group per row).
/// </summary>
/// <param name="Bits">Bits per code, 2 to 8.</param>
/// <param name="GroupSize">Input columns sharing a scale; must divide the weight's input width. 0 or -1: per output channel.</param>
/// <param name="Symmetric">
/// Symmetric grid (zero point fixed at 2^(b−1), range ±max|w|) instead of GPTQ's asymmetric min-max grid.
/// </param>
public sealed record QuantizationSpec(int Bits, int GroupSize, bool Symmetric = false)
{
    private readonly int _bits = CheckBits(Bits);
    private readonly int _groupSize = CheckGroupSize(GroupSize);

    /// <summary>Bits per code, 2 to 8.</summary>
    public int Bits { get => _bits; init => _bits = CheckBits(value); }

    /// <summary>Input columns sharing one scale and zero point; 0 or -1 means one group per output row.</summary>
    public int GroupSize { get => _groupSize; init => _groupSize = CheckGroupSize(value); }

    /// <summary>Whether each output row has a single group spanning all input columns.</summary>
    public bool IsPerChannel => GroupSize <= 0;

    /// <summary>The largest code, 2^Bits − 1.</summary>
    public int MaxCode => (1 << Bits) - 1;

    /// <summary>Columns per group for a weight with <paramref name="columns"/> inputs.</summary>
    /// <exception cref="ArgumentException">The group size does not divide <paramref name="columns"/>.</exception>
    public int GroupWidth(long columns)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        if (IsPerChannel)
        {
            return checked((int)columns);
        }
        if (columns % GroupSize != 0)
        {
            throw new ArgumentException(
                $"QuantizationSpec.GroupSize {GroupSize} does not divide the weight's {columns} input columns.", nameof(GroupSize));
        }
        return GroupSize;
    }

    /// <summary>Number of groups per output row for a weight with <paramref name="columns"/> inputs.</summary>
    public int GroupCount(long columns) => checked((int)(columns / GroupWidth(columns)));

    /// <inheritdoc />
    public override string ToString() =>
        $"int{Bits}-{(IsPerChannel ? "per-channel" : "g" + GroupSize)}{(Symmetric ? "-sym" : "")}";

    private static int CheckBits(int bits) => bits is >= 2 and <= 8
        ? bits
        : throw new ArgumentOutOfRangeException(nameof(Bits), bits, "QuantizationSpec.Bits must be between 2 and 8.");

    private static int CheckGroupSize(int groupSize) => groupSize >= -1
        ? groupSize
        : throw new ArgumentOutOfRangeException(
            nameof(GroupSize), groupSize, "QuantizationSpec.GroupSize must be positive, or 0 / -1 for one group per output channel.");
}
