using ContextPress.Predictor.Llama2c;
using Microsoft.ML.Tokenizers;

namespace ContextPress.Predictor.Tokenization;

/// <summary>Builds an <see cref="IPromptTokenizer"/> from the tokenizer files a checkpoint ships.</summary>
public static class PromptTokenizerFactory
{
    /// <summary>
    /// Reads the tokenizer of a Hugging Face checkpoint directory: raw UTF-8 bytes when the directory holds
    /// <see cref="ByteLevelPromptTokenizer.MarkerFileName"/>, else <c>tokenizer.json</c> when it is byte-level BPE
    /// (Qwen2, Llama 3, SmolLM2), else <c>tokenizer.model</c> (SentencePiece BPE, Llama-2 style). BOS and stop ids come
    /// from <paramref name="config"/> (or the directory's <c>config.json</c> when null; without one, no BOS and the
    /// usual end markers among the added tokens).
    /// </summary>
    /// <param name="directory">The checkpoint directory.</param>
    /// <param name="config">The model's config; read from the directory when null.</param>
    /// <returns>The tokenizer.</returns>
    /// <exception cref="FileNotFoundException">The directory has no tokenizer file this factory reads.</exception>
    public static IPromptTokenizer FromDirectory(string directory, LlamaConfig? config = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"Tokenizer directory '{directory}' does not exist.");
        }
        config ??= File.Exists(Path.Combine(directory, "config.json")) ? LlamaConfig.Load(directory) : null;

        if (File.Exists(Path.Combine(directory, ByteLevelPromptTokenizer.MarkerFileName)))
        {
            return new ByteLevelPromptTokenizer(config?.BosTokenId, config?.EosTokenId ?? []);
        }
        var json = Path.Combine(directory, "tokenizer.json");
        if (File.Exists(json) && HfTokenizerJson.IsByteLevelBpe(json))
        {
            return FromTokenizerJson(json, config);
        }
        var sentencePiece = Path.Combine(directory, "tokenizer.model");
        if (File.Exists(sentencePiece))
        {
            return FromSentencePiece(sentencePiece, config?.BosTokenId ?? 1, config is { EosTokenId.Count: > 0 } ? config.EosTokenId : [2]);
        }
        throw new FileNotFoundException($"'{directory}' has neither a byte-level BPE tokenizer.json nor a tokenizer.model.", sentencePiece);
    }

    /// <summary>
    /// Reads a byte-level BPE <c>tokenizer.json</c> (see <see cref="HfTokenizerJson"/>). BOS and stop ids come from
    /// <paramref name="config"/>; without one, there is no BOS and the stop ids are those of the added tokens
    /// <c>&lt;|endoftext|&gt;</c>, <c>&lt;|im_end|&gt;</c>, <c>&lt;|eot_id|&gt;</c>, <c>&lt;|end_of_text|&gt;</c> and <c>&lt;/s&gt;</c> present.
    /// </summary>
    /// <param name="path">The <c>tokenizer.json</c> file.</param>
    /// <param name="config">The model's config, or null.</param>
    /// <returns>The tokenizer.</returns>
    public static IPromptTokenizer FromTokenizerJson(string path, LlamaConfig? config = null)
    {
        var tokenizer = HfTokenizerJson.Load(path, out var added);
        IReadOnlyCollection<int> stops = config is { EosTokenId.Count: > 0 }
            ? config.EosTokenId
            : new[] { "<|endoftext|>", "<|im_end|>", "<|eot_id|>", "<|end_of_text|>", "</s>" }.Where(added.ContainsKey).Select(t => added[t]).ToArray();
        return new MlTokenizerPromptTokenizer(tokenizer, config?.BosTokenId, stops);
    }

    /// <summary>Reads a SentencePiece BPE <c>tokenizer.model</c> (Llama 2, Mistral) with Microsoft.ML.Tokenizers.</summary>
    /// <param name="path">The <c>.model</c> file.</param>
    /// <param name="bosTokenId">BOS id (added by <see cref="IPromptTokenizer.Encode"/> when asked, never by the tokenizer itself).</param>
    /// <param name="stopTokenIds">Ids that end a turn.</param>
    /// <returns>The tokenizer.</returns>
    public static IPromptTokenizer FromSentencePiece(string path, int? bosTokenId, IReadOnlyCollection<int> stopTokenIds)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = File.OpenRead(path);
        var tokenizer = LlamaTokenizer.Create(stream, addBeginOfSentence: false, addEndOfSentence: false);
        return new MlTokenizerPromptTokenizer(tokenizer, bosTokenId, stopTokenIds);
    }

    /// <summary>
    /// Finds the llama2.c vocabulary for the checkpoint at <paramref name="checkpointPath"/>: <c>tok{vocabSize}.bin</c>,
    /// then <c>tokenizer.bin</c>, beside it.
    /// </summary>
    /// <param name="checkpointPath">The llama2.c <c>.bin</c> checkpoint.</param>
    /// <param name="vocabSize">The model's vocabulary size.</param>
    /// <returns>The tokenizer.</returns>
    /// <exception cref="FileNotFoundException">Neither file exists.</exception>
    public static IPromptTokenizer ForLlama2cCheckpoint(string checkpointPath, int vocabSize)
    {
        ArgumentException.ThrowIfNullOrEmpty(checkpointPath);
        var directory = Path.GetDirectoryName(Path.GetFullPath(checkpointPath))!;
        string[] candidates = [Path.Combine(directory, $"tok{vocabSize}.bin"), Path.Combine(directory, "tokenizer.bin")];
        var found = candidates.FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException($"No llama2.c vocabulary beside '{checkpointPath}' (looked for tok{vocabSize}.bin and tokenizer.bin).");
        return FromLlama2c(found, vocabSize);
    }

    /// <summary>Reads a llama2.c <c>tokenizer.bin</c> vocabulary of <paramref name="vocabSize"/> pieces.</summary>
    /// <param name="path">The vocabulary file.</param>
    /// <param name="vocabSize">The model's vocabulary size.</param>
    /// <returns>The tokenizer.</returns>
    public static IPromptTokenizer FromLlama2c(string path, int vocabSize) => new Llama2cPromptTokenizer(Llama2cTokenizer.Load(path, vocabSize));
}
