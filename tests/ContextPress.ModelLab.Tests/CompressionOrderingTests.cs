using ContextPress.Predictor;
using ContextPress.Predictor.Caching;
using ContextPress.Predictor.Compression;
using ContextPress.Predictor.Tokenization;

namespace ContextPress.ModelLab.Tests;

/// <summary>
/// The orderings issue 9 requires, on the shipped trained model rather than random matrices: calibrated on its training
/// split (from ../shared/research-data; skipped without it), judged by KL to the dense model on held-out windows.
/// </summary>
public sealed class CompressionOrderingTests : IClassFixture<CompressionOrderingTests.Calibration>
{
    private readonly Calibration _calibration;

    public CompressionOrderingTests(Calibration calibration) => _calibration = calibration;

    [Theory]
    [InlineData(4)]
    [InlineData(3)]
    public void Gptq_beats_round_to_nearest(int bits)
    {
        var rtn = _calibration.Kl(QuantizationCompressor.RoundToNearest(bits, 128));
        var gptq = _calibration.Kl(QuantizationCompressor.Gptq(bits, 128));
        Assert.True(gptq < rtn, $"{bits}-bit KL: GPTQ {gptq:E3}, RTN {rtn:E3}");
    }

    [Theory]
    [InlineData("0.5")]
    [InlineData("2:4")]
    public void SparseGpt_beats_wanda_and_magnitude(string pattern)
    {
        var sparsity = SparsityPattern.Parse(pattern);
        var magnitude = _calibration.Kl(PruningCompressor.Magnitude(sparsity));
        var wanda = _calibration.Kl(PruningCompressor.Wanda(sparsity));
        var sparseGpt = _calibration.Kl(PruningCompressor.SparseGpt(sparsity));
        Assert.True(sparseGpt < wanda && sparseGpt < magnitude, $"{pattern} KL: SparseGPT {sparseGpt:E3}, Wanda {wanda:E3}, magnitude {magnitude:E3}");
    }

    [Theory]
    [InlineData(0.2)]
    [InlineData(0.4)]
    public void SvdLlm_beats_asvd_and_plain_svd(double removed)
    {
        var svd = _calibration.Kl(new LowRankCompressor("svd", removed));
        var asvd = _calibration.Kl(new LowRankCompressor("asvd", removed));
        var svdLlm = _calibration.Kl(new LowRankCompressor("svd-llm", removed));
        Assert.True(svdLlm < svd && svdLlm < asvd, $"{removed:P0} removed KL: SVD-LLM {svdLlm:E3}, SVD {svd:E3}, ASVD {asvd:E3}");
    }

    [Fact]
    public void Int8_weights_stay_within_one_percent_perplexity()
    {
        using var model = CausalLM.FromPretrained(ShippedModel.Directory);
        _calibration.Compress(model, QuantizationCompressor.RoundToNearest(8, 128));
        var ratio = _calibration.Evaluator.Perplexity(model, _calibration.HeldOut).Perplexity / _calibration.DensePerplexity;
        Assert.InRange(ratio, 0.99, 1.01);
    }

    [Fact]
    public void Kivi_per_channel_keys_beat_per_token_keys_and_4_bit_stays_within_one_percent()
    {
        var kivi = new KiviOptions { Bits = 2, GroupSize = 32, ResidualLength = 32 };
        const int prefill = 128;
        var evaluator = new PerplexityEvaluator(new PerplexityEvaluatorOptions { MaxWindows = 8, FirstScoredPosition = prefill });
        var dense = KvCacheEvaluation.Logits(_calibration.Dense, KvCacheOptions.Dense, prefill);
        double Kl(KiviOptions options) => evaluator.KlDivergence(dense, KvCacheEvaluation.Logits(_calibration.Dense, new KvCacheOptions { Kind = KvCacheKind.Kivi, Kivi = options }, prefill), _calibration.HeldOut);

        var perChannel = Kl(kivi);
        var perToken = Kl(kivi with { KeyQuantization = KeyQuantization.PerToken });
        Assert.True(perChannel < perToken, $"2-bit KV KL: keys per channel {perChannel:E3}, per token {perToken:E3}");

        var densePpl = evaluator.Perplexity(dense, _calibration.HeldOut).Perplexity;
        var kivi4 = evaluator.Perplexity(KvCacheEvaluation.Logits(_calibration.Dense, new KvCacheOptions { Kind = KvCacheKind.Kivi, Kivi = kivi with { Bits = 4 } }, prefill), _calibration.HeldOut).Perplexity;
        Assert.InRange(kivi4 / densePpl, 0.99, 1.01);
    }

    /// <summary>The dense model, its calibration statistics (computed once) and the held-out tokens.</summary>
    public sealed class Calibration : IDisposable
    {
        private readonly CalibrationStatistics? _statistics;

        public Calibration()
        {
            var data = FindResearchData();
            Dense = CausalLM.FromPretrained(ShippedModel.Directory);
            HeldOut = ByteCorpus.ToTokens(ByteCorpus.ReadDocuments(ShippedModel.HeldOutPath));
            Evaluator = new PerplexityEvaluator(new PerplexityEvaluatorOptions { MaxWindows = 6 });
            DensePerplexity = Evaluator.Perplexity(Dense, HeldOut).Perplexity;
            if (data is null)
            {
                return;
            }
            var (train, _) = ByteCorpus.Split(ByteCorpus.ReadGsm8k(Path.Combine(data, ByteCorpus.Gsm8kFileName)));
            var options = new CalibrationOptions { Windows = 32, WindowLength = 256 };
            var set = CalibrationSet.FromText(string.Join("\n\n", train), PromptTokenizerFactory.FromDirectory(ShippedModel.Directory), options);
            _statistics = CalibrationCollector.Collect(Dense, set, options);
        }

        public CausalLM Dense { get; }

        public int[] HeldOut { get; }

        public PerplexityEvaluator Evaluator { get; }

        public double DensePerplexity { get; }

        public void Compress(CausalLM model, ILinearCompressor compressor)
        {
            Assert.SkipWhen(_statistics is null, "../shared/research-data (the calibration text) is absent");
            ModelCompressor.Compress(model, _statistics!, compressor);
        }

        /// <summary>KL(dense ‖ compressed) per token on the first held-out windows.</summary>
        public double Kl(ILinearCompressor compressor)
        {
            using var model = CausalLM.FromPretrained(ShippedModel.Directory);
            Compress(model, compressor);
            return Evaluator.KlDivergence(Dense, model, HeldOut);
        }

        public void Dispose()
        {
            _statistics?.Dispose();
            Dense.Dispose();
        }

        private static string? FindResearchData()
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "shared", "research-data");
                if (File.Exists(Path.Combine(candidate, ByteCorpus.Gsm8kFileName)))
                {
                    return candidate;
                }
            }
            return null;
        }
    }
}
