using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ContextPress.Scoring;
using ContextPress.Text;
using ContextPress.Tokens;
using static TorchSharp.torch;

namespace ContextPress.Classifier;

/// <summary>
/// LLMLingua-2's token classifier as an <see cref="ITokenScorer"/>: a BERT token-classification model
/// (e.g. <c>microsoft/llmlingua-2-bert-base-multilingual-cased-meetingbank</c>) gives each WordPiece token
/// P(keep), and a word's probability is the mean over its pieces.
/// </summary>
/// <remarks>
/// <para>Reference behaviour (microsoft/LLMLingua @ e0e9d99, see <c>shared/reference/llmlingua2.md</c>):</para>
/// <list type="bullet">
/// <item>Input rows are <c>[CLS] + pieces + [SEP]</c>, at most 512 ids, attention mask 1 on real ids
/// (<c>TokenClfDataset</c>, utils.py l.13–68, note A.5). The reference pads every row to 512; padding to the
/// batch's longest row is equivalent under the mask (tested).</item>
/// <item>P(keep) is <c>softmax(logits)[..., 1]</c> (prompt_compressor.py l.2183 and l.2362, note A.1).</item>
/// <item>A word's probability is the <b>mean</b> of its pieces' P(keep) (<c>__token_prob_to_word_prob</c>,
/// default <c>"mean"</c>, l.2255–2302, note A.6); a force-token word gets 1.0 (same lines).</item>
/// <item>Chunks are at most 510 pieces (512 − [CLS] − [SEP]; <c>__chunk_context</c> l.2230–2253, note A.4); the
/// compressor cuts them by <see cref="MaxChunkTokens"/> counted with <see cref="ChunkTokenCounter"/> in this model's
/// own tokens. A chunk that still overflows (one huge word) is split into several rows at word boundaries.</item>
/// </list>
/// <para>
/// Words come from the compressor; each word's text (with its leading whitespace) is tokenized on its own, so
/// every piece belongs to exactly one word. Where the compressor's words coincide with BERT's pre-tokens (the
/// reference segmentation), this is the reference's token stream. The <c>[NEWi]</c> aliases the reference adds for
/// multi-piece force tokens are not reproduced: their embedding rows are not in the checkpoint (note A.3).
/// </para>
/// <para>Thread-safe: forward passes are serialized on the model.</para>
/// </remarks>
public sealed class TokenClassifierScorer : ITokenScorer, IWordSegmenter, IDisposable
{
    /// <summary>The reference's sequence length, special tokens included (<c>max_seq_len = 512</c>, l.102).</summary>
    public const int MaxSequenceLength = 512;

    private readonly BertForTokenClassification _model;
    private readonly WordPieceVocabulary _vocabulary;
    private readonly bool _ownsModel;
    private readonly Lock _gate = new();

    /// <summary>Initializes a new instance of the <see cref="TokenClassifierScorer"/> class.</summary>
    /// <param name="model">The token classifier (fp32, CPU).</param>
    /// <param name="vocabulary">Its WordPiece vocabulary.</param>
    /// <param name="options">Label and batching settings; defaults when null.</param>
    /// <param name="ownsModel">Dispose <paramref name="model"/> with this scorer.</param>
    public TokenClassifierScorer(BertForTokenClassification model, WordPieceVocabulary vocabulary, TokenClassifierScorerOptions? options = null, bool ownsModel = false)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(vocabulary);
        Options = options ?? new TokenClassifierScorerOptions();
        if (Options.KeepLabel < 0 || Options.KeepLabel >= model.Config.LabelCount)
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"KeepLabel {Options.KeepLabel} is not a label of a {model.Config.LabelCount}-label model.");
        }
        if (Options.MaxBatchSize <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "MaxBatchSize must be positive.");
        }
        if (model.Config.MaxPositionEmbeddings < MaxSequenceLength)
        {
            MaxChunkTokens = model.Config.MaxPositionEmbeddings - 2;
        }
        else
        {
            MaxChunkTokens = MaxSequenceLength - 2;
        }

        _model = model;
        _vocabulary = vocabulary;
        _ownsModel = ownsModel;
        model.eval();
        ChunkTokenCounter = new WordPieceTokenCounter(vocabulary);
        Fingerprint = ComputeFingerprint(model, vocabulary, Options);
    }

    /// <summary>Gets the settings.</summary>
    public TokenClassifierScorerOptions Options { get; }

    /// <inheritdoc />
    public string Fingerprint { get; }

    /// <inheritdoc />
    /// <remarks>510 for a 512-position model: the row also holds <c>[CLS]</c> and <c>[SEP]</c>.</remarks>
    public int MaxChunkTokens { get; }

    /// <inheritdoc />
    public ITokenCounter? ChunkTokenCounter { get; }

    /// <summary>Loads the model (<c>config.json</c> + safetensors) and <c>vocab.txt</c> from a model directory.</summary>
    /// <param name="directory">The directory.</param>
    /// <param name="options">Scorer settings.</param>
    /// <returns>A scorer that owns the model.</returns>
    public static TokenClassifierScorer FromPretrained(string directory, TokenClassifierScorerOptions? options = null)
    {
        var vocabulary = WordPieceVocabulary.Load(directory);
        var model = BertForTokenClassification.FromPretrained(directory);
        return new TokenClassifierScorer(model, vocabulary, options, ownsModel: true);
    }

    /// <inheritdoc />
    public ValueTask ScoreAsync(IReadOnlyList<WordScoringChunk> chunks, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        var rows = new List<Row>();
        for (int c = 0; c < chunks.Count; c++)
        {
            AddRows(c, chunks[c], rows);
        }

        var sums = chunks.Select(c => new double[c.Words.Length]).ToArray();
        var counts = chunks.Select(c => new int[c.Words.Length]).ToArray();
        for (int start = 0; start < rows.Count; start += Options.MaxBatchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = rows.GetRange(start, Math.Min(Options.MaxBatchSize, rows.Count - start));
            float[][] keep = KeepProbabilities(batch.Select(r => r.Ids).ToList());
            for (int b = 0; b < batch.Count; b++)
            {
                var row = batch[b];
                for (int p = 0; p < row.Words.Count; p++)
                {
                    sums[row.Chunk][row.Words[p]] += keep[b][p + 1]; // +1: [CLS]
                    counts[row.Chunk][row.Words[p]]++;
                }
            }
        }

        for (int c = 0; c < chunks.Count; c++)
        {
            var words = chunks[c].Words.Span;
            var probabilities = chunks[c].Probabilities.Span;
            for (int w = 0; w < words.Length; w++)
            {
                probabilities[w] = (words[w].Traits & WordTraits.Forced) != 0
                    ? 1f
                    : counts[c][w] == 0 ? 0f : (float)(sums[c][w] / counts[c][w]);
            }
        }
        return ValueTask.CompletedTask;

        void AddRows(int chunkIndex, WordScoringChunk chunk, List<Row> target)
        {
            var words = chunk.Words.Span;
            var ids = new List<long>();
            var owners = new List<int>();
            for (int w = 0; w < words.Length; w++)
            {
                var pieces = _vocabulary.Tokenize(words[w].Slice(chunk.Text));
                int take = Math.Min(pieces.Count, MaxChunkTokens);
                if (ids.Count + take > MaxChunkTokens)
                {
                    target.Add(Row.Create(chunkIndex, ids, owners, _vocabulary));
                    ids = [];
                    owners = [];
                }
                for (int p = 0; p < take; p++)
                {
                    ids.Add(pieces[p].Id);
                    owners.Add(w);
                }
            }
            if (ids.Count > 0)
            {
                target.Add(Row.Create(chunkIndex, ids, owners, _vocabulary));
            }
        }
    }

    /// <summary>Runs rows of ids (each with [CLS] and [SEP]) as one padded batch; returns P(keep) per position.</summary>
    internal float[][] KeepProbabilities(IReadOnlyList<long[]> rows)
    {
        int longest = rows.Max(r => r.Length);
        var ids = new long[rows.Count * longest];
        var mask = new long[rows.Count * longest];
        Array.Fill(ids, _vocabulary.PadId);
        for (int b = 0; b < rows.Count; b++)
        {
            rows[b].CopyTo(ids, b * longest);
            Array.Fill(mask, 1L, b * longest, rows[b].Length);
        }

        float[] flat;
        lock (_gate)
        {
            using var scope = NewDisposeScope();
            using var grad = no_grad();
            var inputIds = tensor(ids, [rows.Count, longest]);
            var attention = tensor(mask, [rows.Count, longest]);
            var logits = _model.forward(inputIds, attention);
            var keep = logits.softmax(-1).select(-1, Options.KeepLabel).contiguous();
            flat = keep.data<float>().ToArray();
        }

        var result = new float[rows.Count][];
        for (int b = 0; b < rows.Count; b++)
        {
            result[b] = flat.AsSpan(b * longest, rows[b].Length).ToArray();
        }
        return result;
    }

    /// <summary>Splits text into the reference's mBERT words (<see cref="BertWordSegmenter"/>); used by the compressor's reference mode.</summary>
    /// <param name="text">The text.</param>
    /// <param name="forceTokens">Force tokens, each occurrence a word of its own.</param>
    /// <param name="words">Receives the words.</param>
    public void Split(ReadOnlySpan<char> text, IReadOnlyList<string> forceTokens, List<WordSpan> words) =>
        BertWordSegmenter.Instance.Split(text, forceTokens, words);

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsModel)
        {
            _model.Dispose();
        }
    }

    private static string ComputeFingerprint(BertForTokenClassification model, WordPieceVocabulary vocabulary, TokenClassifierScorerOptions options)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(model.Config)));
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            foreach (var (name, tensor) in model.state_dict().OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                hash.AppendData(Encoding.UTF8.GetBytes($"{name}:{string.Join('x', tensor.shape)}:{tensor.dtype};"));
                var flat = tensor.detach().flatten().to_type(ScalarType.Float32);
                long step = Math.Max(1, flat.shape[0] / 64);
                var sample = flat[TensorIndex.Slice(0, null, step)].contiguous();
                hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(sample.data<float>().ToArray().AsSpan()));
                hash.AppendData(BitConverter.GetBytes(flat.to_type(ScalarType.Float64).sum().item<double>()));
            }
        }
        string digest = Convert.ToHexStringLower(hash.GetHashAndReset())[..16];
        return $"llmlingua2-bert/v1/{model.Config.ModelType}/{digest}/vocab-{vocabulary.Identity}/fp32/keep{options.KeepLabel}";
    }

    private sealed record Row(int Chunk, long[] Ids, List<int> Words)
    {
        public static Row Create(int chunk, List<long> pieces, List<int> owners, WordPieceVocabulary vocabulary)
        {
            var ids = new long[pieces.Count + 2];
            ids[0] = vocabulary.ClsId;
            pieces.CopyTo(ids, 1);
            ids[^1] = vocabulary.SepId;
            return new Row(chunk, ids, owners);
        }
    }
}

/// <summary>Settings of <see cref="TokenClassifierScorer"/>.</summary>
public sealed record TokenClassifierScorerOptions
{
    /// <summary>Gets the class index meaning "keep"; LLMLingua-2 uses 1 (prompt_compressor.py l.2183).</summary>
    public int KeepLabel { get; init; } = 1;

    /// <summary>Gets the number of rows per forward pass; the reference's <c>max_batch_size</c> is 50.</summary>
    public int MaxBatchSize { get; init; } = 50;
}
