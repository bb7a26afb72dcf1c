using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ContextPress.Scoring;
using ContextPress.Text;
using ContextPress.Tokens;
using TorchSharp;
using static TorchSharp.torch;

namespace ContextPress.Classifier;

/// <summary>
/// LLMLingua-2's token classifier as an <see cref="ITokenScorer"/>: a BERT or XLM-RoBERTa token-classification model
/// (<c>microsoft/llmlingua-2-bert-base-multilingual-cased-meetingbank</c>,
/// <c>microsoft/llmlingua-2-xlm-roberta-large-meetingbank</c>) gives each piece P(keep), and a word's probability is
/// the mean over its pieces.
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
/// Words come from the compressor. For BERT each word's text is tokenized on its own (the reference's words are BERT
/// pre-tokens, so this is its token stream); for XLM-R each run of words not separated by whitespace is tokenized at
/// once, as SentencePiece sees it, and every piece goes to the word it starts in.
/// </para>
/// <para>
/// Force tokens (note A.3, prompt_compressor.py l.788–797): a forced word whose text is entry <c>i</c> of
/// <see cref="TokenClassifierScorerOptions.ForceTokens"/> and which the tokenizer does not make exactly one piece
/// (<c>"\n"</c>, <c>"Question:"</c>) is fed to the model as the single added token <c>[NEWi]</c>, id
/// <c>len(tokenizer) + i</c>, as the reference's text replacement does; its embedding row is the mean row that
/// transformers' <c>resize_token_embeddings</c> gives (see <see cref="TokenClassificationModel.AddTokens(int)"/>).
/// Forced words score 1.0. With <see cref="TokenClassifierScorerOptions.ForceReserveDigit"/>, every piece containing
/// a digit counts 1.0 in its word's mean (the reference's per-token <c>force_reserve_digit</c>, l.2276–2290).
/// </para>
/// <para>Thread-safe: forward passes are serialized on the model.</para>
/// </remarks>
public sealed class TokenClassifierScorer : ITokenScorer, IWordSegmenter, IDisposable
{
    /// <summary>The reference's sequence length, special tokens included (<c>max_seq_len = 512</c>, l.102).</summary>
    public const int MaxSequenceLength = 512;

    /// <summary>The reference's <c>max_force_token</c>: how many <c>[NEWi]</c> tokens it adds (l.95–116).</summary>
    public const int MaxForceTokens = 100;

    private readonly TokenClassificationModel _model;
    private readonly ITokenClassifierVocabulary _vocabulary;
    private readonly Dictionary<string, int> _addedTokenIds;
    private readonly long _clsId;
    private readonly long _sepId;
    private readonly Device _device;
    private readonly bool _ownsModel;
    private readonly Lock _gate = new();

    /// <summary>Initializes a new instance of the <see cref="TokenClassifierScorer"/> class.</summary>
    /// <param name="model">The token classifier (fp32), on the device it should run on.</param>
    /// <param name="vocabulary">Its tokenizer (<see cref="WordPieceVocabulary"/> for BERT, <see cref="SentencePieceVocabulary"/> for XLM-R).</param>
    /// <param name="options">Label, batching and force-token settings; defaults when null.</param>
    /// <param name="ownsModel">Dispose <paramref name="model"/> with this scorer.</param>
    /// <remarks>Gives <paramref name="model"/> the reference's 100 added-token rows (<see cref="TokenClassificationModel.AddTokens(int)"/>) when it lacks them.</remarks>
    public TokenClassifierScorer(TokenClassificationModel model, ITokenClassifierVocabulary vocabulary, TokenClassifierScorerOptions? options = null, bool ownsModel = false)
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
        ArgumentNullException.ThrowIfNull(Options.ForceTokens);
        if (Options.ForceTokens.Count > MaxForceTokens)
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"{Options.ForceTokens.Count} force tokens: the reference allows at most {MaxForceTokens}.");
        }
        if (vocabulary.Count > model.Config.VocabSize)
        {
            throw new ArgumentException($"The tokenizer has {vocabulary.Count} ids but the model only {model.Config.VocabSize} rows: they do not belong together.", nameof(vocabulary));
        }

        MaxChunkTokens = Math.Min(model.Config.MaxSequenceLength, MaxSequenceLength) - 2;
        _model = model;
        _vocabulary = vocabulary;
        _ownsModel = ownsModel;
        model.eval();
        model.AddTokens(Math.Max(0, vocabulary.Count + MaxForceTokens - model.Config.VocabSize));
        _device = model.parameters().First().device;
        _addedTokenIds = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < Options.ForceTokens.Count; i++)
        {
            string token = Options.ForceTokens[i];
            if (string.IsNullOrEmpty(token))
            {
                throw new ArgumentException("Force tokens cannot be null or empty.", nameof(options));
            }
            if (vocabulary.Tokenize(token).Count != 1)
            {
                _addedTokenIds.TryAdd(token, vocabulary.Count + i); // token_map[t] = "[NEW{i}]", first index wins as in the dict
            }
        }
        _clsId = Options.ReferenceRowTokens ? vocabulary.TokenToId("[CLS]") : vocabulary.ClsId;
        _sepId = Options.ReferenceRowTokens ? vocabulary.TokenToId("[SEP]") : vocabulary.SepId;
        ChunkTokenCounter = new WordPieceTokenCounter(vocabulary);
        Fingerprint = ComputeFingerprint(model, vocabulary, Options);
    }

    /// <summary>Gets the settings.</summary>
    public TokenClassifierScorerOptions Options { get; }

    /// <inheritdoc />
    public string Fingerprint { get; }

    /// <summary>Gets the model.</summary>
    public TokenClassificationModel Model => _model;

    /// <summary>Gets the tokenizer.</summary>
    public ITokenClassifierVocabulary Vocabulary => _vocabulary;

    /// <inheritdoc />
    /// <remarks>510 for a 512-position model (BERT 512 rows, XLM-R 514): the row also holds <c>[CLS]</c> and <c>[SEP]</c>.</remarks>
    public int MaxChunkTokens { get; }

    /// <inheritdoc />
    public ITokenCounter? ChunkTokenCounter { get; }

    /// <summary>
    /// Loads a model directory, choosing BERT or XLM-R from <c>config.json</c>'s <c>model_type</c>: the safetensors
    /// weights and <c>vocab.txt</c> (BERT) or <c>sentencepiece.bpe.model</c> (XLM-R).
    /// </summary>
    /// <param name="directory">The directory.</param>
    /// <param name="options">Scorer settings.</param>
    /// <param name="device">Where to run; the CPU when null.</param>
    /// <returns>A scorer that owns the model.</returns>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    /// <exception cref="FileNotFoundException">A file the model needs is missing.</exception>
    /// <exception cref="InvalidDataException">The config is invalid or of an unsupported model type.</exception>
    public static TokenClassifierScorer FromPretrained(string directory, TokenClassifierScorerOptions? options = null, Device? device = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"Model directory '{directory}' does not exist.");
        }
        var config = BertConfig.Load(directory);
        ITokenClassifierVocabulary vocabulary = config.IsRoberta ? SentencePieceVocabulary.Load(directory) : WordPieceVocabulary.Load(directory);
        var model = TokenClassificationModel.FromPretrained(directory);
        try
        {
            if (device is not null && device.type != DeviceType.CPU)
            {
                model.to(device);
            }
            return new TokenClassifierScorer(model, vocabulary, options, ownsModel: true);
        }
        catch
        {
            model.Dispose();
            throw;
        }
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
                    bool digit = Options.ForceReserveDigit && row.Digits[p];
                    sums[row.Chunk][row.Words[p]] += digit ? 1.0 : keep[b][p + 1]; // +1: [CLS]
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
            var row = new RowBuilder(chunkIndex, this, target);
            for (int w = 0; w < words.Length; w++)
            {
                ReadOnlySpan<char> core = words[w].Core(chunk.Text);
                if ((words[w].Traits & WordTraits.Forced) != 0 && _addedTokenIds.Count > 0
                    && _addedTokenIds.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(core, out int added))
                {
                    row.Add(w, [new WordPiece(added, core.ToString())]); // the reference's [NEWi]
                    continue;
                }

                if (_vocabulary is SentencePieceVocabulary sentencePiece)
                {
                    // A run of words with no whitespace between them is one SentencePiece segment.
                    int last = w;
                    while (last + 1 < words.Length && words[last + 1].Start == words[last + 1].CoreStart && !IsAddedToken(words[last + 1], chunk.Text))
                    {
                        last++;
                    }
                    AddRun(sentencePiece, chunk.Text, words, w, last, row);
                    w = last;
                    continue;
                }

                row.Add(w, _vocabulary.Tokenize(core));
            }
            row.Flush();
        }
    }

    private bool IsAddedToken(WordSpan word, string text) =>
        (word.Traits & WordTraits.Forced) != 0 && _addedTokenIds.Count > 0
        && _addedTokenIds.GetAlternateLookup<ReadOnlySpan<char>>().ContainsKey(word.Core(text));

    private static void AddRun(SentencePieceVocabulary vocabulary, string text, ReadOnlySpan<WordSpan> words, int first, int last, RowBuilder row)
    {
        int runStart = words[first].CoreStart;
        var pieces = vocabulary.TokenizeAligned(text.AsSpan(runStart, words[last].End - runStart), out bool aligned);
        if (!aligned)
        {
            // Normalization moved characters (NFKC, folded whitespace): pieces cannot be placed, so words go one by one.
            for (int w = first; w <= last; w++)
            {
                row.Add(w, vocabulary.Tokenize(words[w].Core(text)));
            }
            return;
        }

        int owner = first;
        var current = new List<WordPiece>();
        foreach (var (piece, start) in pieces)
        {
            int next = owner;
            while (next < last && runStart + start >= words[next + 1].CoreStart)
            {
                next++;
            }
            if (next != owner)
            {
                row.Add(owner, current);
                current = [];
                owner = next;
            }
            current.Add(piece);
        }
        row.Add(owner, current);
    }

    /// <summary>Runs rows of ids (each with [CLS] and [SEP]) as one padded batch; returns P(keep) per position.</summary>
    internal float[][] KeepProbabilities(IReadOnlyList<long[]> rows)
    {
        int longest = rows.Max(r => r.Length);
        var ids = new long[rows.Count * longest];
        var mask = new long[rows.Count * longest];
        Array.Fill(ids, (long)_vocabulary.PadId);
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
            var inputIds = tensor(ids, [rows.Count, longest], device: _device);
            var attention = tensor(mask, [rows.Count, longest], device: _device);
            var logits = _model.forward(inputIds, attention);
            var keep = logits.to_type(ScalarType.Float32).softmax(-1).select(-1, Options.KeepLabel).cpu().contiguous();
            flat = keep.data<float>().ToArray();
        }

        var result = new float[rows.Count][];
        for (int b = 0; b < rows.Count; b++)
        {
            result[b] = flat.AsSpan(b * longest, rows[b].Length).ToArray();
        }
        return result;
    }

    /// <summary>
    /// Splits text into the reference's words, used by the compressor's reference mode: mBERT's
    /// (<see cref="BertWordSegmenter"/>) or, for XLM-R, SentencePiece's (<see cref="ReferenceWordSplitter"/>).
    /// </summary>
    /// <param name="text">The text.</param>
    /// <param name="forceTokens">Force tokens, each occurrence a word of its own.</param>
    /// <param name="words">Receives the words.</param>
    public void Split(ReadOnlySpan<char> text, IReadOnlyList<string> forceTokens, List<WordSpan> words) =>
        (_model.Config.IsRoberta ? (IWordSegmenter)ReferenceWordSplitter.Instance : BertWordSegmenter.Instance).Split(text, forceTokens, words);

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsModel)
        {
            _model.Dispose();
        }
    }

    private static string ComputeFingerprint(TokenClassificationModel model, ITokenClassifierVocabulary vocabulary, TokenClassifierScorerOptions options)
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
            if (model.AddedTokenEmbeddings() is { } added)
            {
                hash.AppendData(BitConverter.GetBytes(added.to_type(ScalarType.Float64).sum().item<double>()));
            }
        }
        hash.AppendData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(options.ForceTokens)));
        hash.AppendData(Encoding.UTF8.GetBytes($"digits={options.ForceReserveDigit};rows={options.ReferenceRowTokens}"));
        string digest = Convert.ToHexStringLower(hash.GetHashAndReset())[..16];
        return $"llmlingua2/v2/{model.Config.ModelType}/{digest}/vocab-{vocabulary.Identity}/fp32/keep{options.KeepLabel}";
    }

    private sealed record Row(int Chunk, long[] Ids, List<int> Words, List<bool> Digits);

    /// <summary>Packs words' pieces into rows of at most <see cref="MaxChunkTokens"/>, cutting only between words.</summary>
    private sealed class RowBuilder(int chunk, TokenClassifierScorer scorer, List<Row> target)
    {
        private List<long> _ids = [];
        private List<int> _owners = [];
        private List<bool> _digits = [];

        public void Add(int word, IReadOnlyList<WordPiece> pieces)
        {
            int take = Math.Min(pieces.Count, scorer.MaxChunkTokens);
            if (_ids.Count + take > scorer.MaxChunkTokens)
            {
                Flush();
            }
            for (int p = 0; p < take; p++)
            {
                _ids.Add(pieces[p].Id);
                _owners.Add(word);
                _digits.Add(pieces[p].Piece.AsSpan().IndexOfAnyInRange('0', '9') >= 0 || HasUnicodeDigit(pieces[p].Piece));
            }
        }

        public void Flush()
        {
            if (_ids.Count == 0)
            {
                return;
            }
            var ids = new long[_ids.Count + 2];
            ids[0] = scorer._clsId;
            _ids.CopyTo(ids, 1);
            ids[^1] = scorer._sepId;
            target.Add(new Row(chunk, ids, _owners, _digits));
            _ids = [];
            _owners = [];
            _digits = [];
        }

        // Python's re \d matches every Unicode decimal digit (Nd), as .NET's char.IsDigit does.
        private static bool HasUnicodeDigit(string piece)
        {
            foreach (char c in piece)
            {
                if (char.IsDigit(c))
                {
                    return true;
                }
            }
            return false;
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

    /// <summary>
    /// Gets the reference's <c>force_tokens</c>, in its order (at most 100): a forced word equal to entry <c>i</c> that
    /// the tokenizer does not make one piece is fed to the model as the added token <c>[NEWi]</c>. Pass the list given
    /// to <see cref="ContextPress.Compression.PromptCompressionOptions.ForceTokens"/>.
    /// </summary>
    public IReadOnlyList<string> ForceTokens { get; init; } = [];

    /// <summary>
    /// Gets a value indicating whether every piece containing a digit counts 1.0 in its word's mean (the reference's
    /// <c>force_reserve_digit</c>, applied per token). For reference parity set this and leave the compressor's
    /// word-level <see cref="ContextPress.Compression.PromptCompressionOptions.ForceReserveDigit"/> off.
    /// </summary>
    public bool ForceReserveDigit { get; init; }

    /// <summary>
    /// Gets a value indicating whether rows open and close with the ids of the strings <c>"[CLS]"</c> and <c>"[SEP]"</c>
    /// as the reference's <c>TokenClfDataset</c> builds them (default true; note A.5): the same as the tokenizer's own for
    /// BERT, but <c>&lt;unk&gt;</c> (3) for XLM-R, whose vocabulary lacks them. False: the tokenizer's own
    /// (<c>&lt;s&gt;</c>, <c>&lt;/s&gt;</c>), as in training.
    /// </summary>
    public bool ReferenceRowTokens { get; init; } = true;
}
