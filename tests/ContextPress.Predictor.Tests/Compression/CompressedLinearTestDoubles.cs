using ContextPress.Predictor.Compression;
using TorchSharp;
using static TorchSharp.torch;

namespace ContextPress.Predictor.Tests.Compression;

/// <summary>Tiny seeded models and test-only compression methods (the real algorithms live in their own folders).</summary>
internal static class CompressedLinearTestDoubles
{
    public static LlamaConfig TinyConfig(string modelType = "llama", bool tied = true) => new()
    {
        ModelType = modelType,
        HiddenSize = 32,
        IntermediateSize = 48,
        NumHiddenLayers = 2,
        NumAttentionHeads = 4,
        NumKeyValueHeads = 2,
        VocabSize = 64,
        RmsNormEps = 1e-6,
        RopeTheta = 10000,
        TieWordEmbeddings = tied,
    };

    public static CausalLM Randomized(LlamaConfig config, int seed = 1) => Caching.TinyModels.Randomized(config, seed);

    /// <summary>Seeded random windows of token ids.</summary>
    public static int[][] Windows(int count, int length, int vocab, int seed = 5)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => Enumerable.Range(0, length).Select(_ => random.Next(vocab)).ToArray()).ToArray();
    }

    /// <summary>Asymmetric min-max round-to-nearest per group, written here only to feed <see cref="QuantizedLinear"/> in tests.</summary>
    public static (Tensor Codes, Tensor Scales, Tensor Zeros) FakeQuantize(Tensor weight, int bits, int groupSize)
    {
        var outFeatures = weight.shape[0];
        var inFeatures = weight.shape[1];
        var groups = (inFeatures + groupSize - 1) / groupSize;
        var padded = nn.functional.pad(weight, [0, groups * groupSize - inFeatures], value: 0).reshape(outFeatures, groups, groupSize);
        // Padding zeros would widen the last group's range; replace them by the group's first value.
        var mask = arange(groups * groupSize).reshape(groups, groupSize) < inFeatures;
        padded = where(mask.unsqueeze(0), padded, padded.select(2, 0).unsqueeze(2).expand_as(padded));
        var min = padded.amin([2]).clamp_max(0);
        var max = padded.amax([2]).clamp_min(0);
        var levels = (1 << bits) - 1;
        var scales = ((max - min) / levels).clamp_min(1e-8);
        var zeros = (-min / scales).round();
        var codes = (padded / scales.unsqueeze(2) + zeros.unsqueeze(2)).round().clamp(0, levels)
            .reshape(outFeatures, groups * groupSize).narrow(1, 0, inFeatures).to_type(ScalarType.Byte);
        return (codes, scales, zeros);
    }

    /// <summary>Stores each weight exactly, as a full-rank product Up·Down with Down = I.</summary>
    public sealed class IdentityLowRank : ILinearCompressor
    {
        public string Method => "identity";

        public int Prepared { get; private set; }

        public void Prepare(LinearCompressionPlan plan) => Prepared = plan.Names.Count;

        public CompressedLinear Compress(LinearCompressionInput input)
        {
            using var scope = NewDisposeScope();
            return new LowRankLinear(eye(input.Weight.shape[1]), input.Weight);
        }
    }

    /// <summary>Test-only round-to-nearest into a <see cref="QuantizedLinear"/>.</summary>
    public sealed class FakeQuant(int bits, int groupSize) : ILinearCompressor
    {
        public string Method => $"fake-quant{bits}";

        public CompressedLinear Compress(LinearCompressionInput input)
        {
            using var scope = NewDisposeScope();
            var (codes, scales, zeros) = FakeQuantize(input.Weight, bits, groupSize);
            return QuantizedLinear.FromCodes(codes, scales, zeros, bits, groupSize, computeType: input.ComputeType);
        }
    }

    /// <summary>Test-only truncated SVD to a fixed rank.</summary>
    public sealed class TruncatedSvd(int rank) : ILinearCompressor
    {
        public string Method => $"svd{rank}";

        public CompressedLinear Compress(LinearCompressionInput input)
        {
            using var scope = NewDisposeScope();
            var (u, s, vh) = linalg.svd(input.Weight, fullMatrices: false);
            return new LowRankLinear(vh.narrow(0, 0, rank), u.narrow(1, 0, rank) * s.narrow(0, 0, rank));
        }
    }

    /// <summary>Test-only magnitude pruning of the smallest half of each row.</summary>
    public sealed class HalfMagnitude : ILinearCompressor
    {
        public string Method => "half-magnitude";

        public CompressedLinear Compress(LinearCompressionInput input)
        {
            using var scope = NewDisposeScope();
            var w = input.Weight;
            var k = w.shape[1] / 2;
            var threshold = w.abs().kthvalue(k, 1).values.unsqueeze(1);
            return new SparseLinear(where(w.abs() > threshold, w, zeros_like(w)), pattern: null);
        }
    }

    /// <summary>An exact correction: the error's full SVD truncated to <see cref="Rank"/>.</summary>
    public sealed class SvdCorrection(int rank) : ILinearCorrector
    {
        public int Rank => rank;

        public (Tensor Down, Tensor Up) Correct(string name, Tensor original, Tensor compressed, LinearInputStatistics statistics)
        {
            var (u, s, vh) = linalg.svd(original - compressed, fullMatrices: false);
            var r = Math.Min(rank, (int)s.shape[0]);
            return (vh.narrow(0, 0, r), u.narrow(1, 0, r) * s.narrow(0, 0, r));
        }
    }
}
