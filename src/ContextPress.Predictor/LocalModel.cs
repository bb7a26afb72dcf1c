using ContextPress.Predictor.Tokenization;
using TorchSharp;
using static TorchSharp.torch;

namespace ContextPress.Predictor;

/// <summary>A loaded model and its tokenizer. The owner disposes <see cref="Model"/>.</summary>
/// <param name="Model">The language model.</param>
/// <param name="Tokenizer">Its tokenizer.</param>
/// <param name="Name">A name for the model: the checkpoint's file or directory name.</param>
public sealed record LocalModel(CausalLM Model, IPromptTokenizer Tokenizer, string Name)
{
    /// <summary>
    /// Loads <paramref name="path"/>: a Hugging Face checkpoint directory (<c>config.json</c>, safetensors, tokenizer
    /// files) or a llama2.c <c>.bin</c> checkpoint (its vocabulary <c>tok{N}.bin</c> or <c>tokenizer.bin</c> beside it).
    /// </summary>
    /// <param name="path">Checkpoint directory or file.</param>
    /// <param name="tokenizerPath">A tokenizer file or directory to use instead of the one found beside the checkpoint.</param>
    /// <param name="dtype">Parameter dtype.</param>
    /// <param name="device">Device; CPU when null.</param>
    /// <returns>The model and tokenizer.</returns>
    /// <exception cref="FileNotFoundException">The checkpoint or its tokenizer is missing; the message names the path.</exception>
    public static LocalModel Load(string path, string? tokenizerPath = null, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            var model = CausalLM.FromPretrained(full, dtype, device);
            try
            {
                return new LocalModel(model, LoadTokenizer(tokenizerPath, model) ?? PromptTokenizerFactory.FromDirectory(full, model.Config), Path.GetFileName(full));
            }
            catch
            {
                model.Dispose();
                throw;
            }
        }
        if (File.Exists(full))
        {
            var model = CausalLM.FromLlama2c(full, dtype, device);
            try
            {
                return new LocalModel(model, LoadTokenizer(tokenizerPath, model) ?? PromptTokenizerFactory.ForLlama2cCheckpoint(full, model.Config.VocabSize), Path.GetFileNameWithoutExtension(full));
            }
            catch
            {
                model.Dispose();
                throw;
            }
        }
        throw new FileNotFoundException($"Model '{path}' does not exist (expected a checkpoint directory with config.json or a llama2.c .bin file).", path);
    }

    private static IPromptTokenizer? LoadTokenizer(string? tokenizerPath, CausalLM model)
    {
        if (string.IsNullOrEmpty(tokenizerPath))
        {
            return null;
        }
        if (Directory.Exists(tokenizerPath))
        {
            return PromptTokenizerFactory.FromDirectory(tokenizerPath, model.Config);
        }
        if (!File.Exists(tokenizerPath))
        {
            throw new FileNotFoundException($"Tokenizer '{tokenizerPath}' does not exist.", tokenizerPath);
        }
        return Path.GetExtension(tokenizerPath).Equals(".model", StringComparison.OrdinalIgnoreCase)
            ? PromptTokenizerFactory.FromSentencePiece(tokenizerPath, model.Config.BosTokenId ?? 1, model.Config.EosTokenId.Count > 0 ? model.Config.EosTokenId : [2])
            : PromptTokenizerFactory.FromLlama2c(tokenizerPath, model.Config.VocabSize);
    }
}
