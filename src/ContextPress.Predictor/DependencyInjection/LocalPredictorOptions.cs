using ContextPress.Predictor.Caching;
using ContextPress.Predictor.Chat;
using static TorchSharp.torch;

namespace ContextPress.Predictor.DependencyInjection;

/// <summary>Settings of the local predictor registered by <c>services.AddLocalChatClient(o => ...)</c>.</summary>
public sealed class LocalPredictorOptions
{
    /// <summary>Gets or sets the checkpoint: a Hugging Face directory (<c>config.json</c>, safetensors, tokenizer) or a llama2.c <c>.bin</c> file.</summary>
    public string ModelPath { get; set; } = "";

    /// <summary>Gets or sets a tokenizer file or directory to use instead of the one beside the checkpoint.</summary>
    public string? TokenizerPath { get; set; }

    /// <summary>Gets or sets the device: <c>auto</c> (CUDA when libtorch has it, else CPU), <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>.</summary>
    public string Device { get; set; } = "auto";

    /// <summary>Gets or sets the parameter dtype: <see cref="ScalarType.Float32"/>, <see cref="ScalarType.BFloat16"/> or <see cref="ScalarType.Float16"/>.</summary>
    public ScalarType DType { get; set; } = ScalarType.Float32;

    /// <summary>Gets or sets the chat template; null renders messages as raw text (<see cref="RawTextChatTemplate"/>).</summary>
    public IChatTemplate? Template { get; set; }

    /// <summary>Gets or sets the model id reported in responses; null uses the checkpoint's file or directory name.</summary>
    public string? ModelId { get; set; }

    /// <summary>Gets or sets the reply length when a request sets no <c>MaxOutputTokens</c>.</summary>
    public int DefaultMaxOutputTokens { get; set; } = 256;

    /// <summary>Gets or sets the KV cache replies are generated with (dense by default: KIVI/GEAR quantize it, StreamingLLM/SnapKV evict).</summary>
    public KvCacheOptions KvCache { get; set; } = KvCacheOptions.Dense;

    /// <summary>Throws when a setting is out of range or the checkpoint does not exist.</summary>
    /// <exception cref="ArgumentException">The setting, named in the message, is invalid.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(ModelPath))
        {
            throw new ArgumentException("ModelPath is required (a checkpoint directory or a llama2.c .bin file).", nameof(ModelPath));
        }
        if (!File.Exists(ModelPath) && !Directory.Exists(ModelPath))
        {
            throw new ArgumentException($"ModelPath '{ModelPath}' does not exist.", nameof(ModelPath));
        }
        if (TokenizerPath is not null && !File.Exists(TokenizerPath) && !Directory.Exists(TokenizerPath))
        {
            throw new ArgumentException($"TokenizerPath '{TokenizerPath}' does not exist.", nameof(TokenizerPath));
        }
        if (DType is not (ScalarType.Float32 or ScalarType.BFloat16 or ScalarType.Float16))
        {
            throw new ArgumentException($"DType {DType} is not a floating-point parameter type (Float32, BFloat16, Float16).", nameof(DType));
        }
        ArgumentNullException.ThrowIfNull(KvCache, nameof(KvCache));
        KvCache.Validate();
        ArgumentOutOfRangeException.ThrowIfLessThan(DefaultMaxOutputTokens, 1, nameof(DefaultMaxOutputTokens));
        Torch.TorchDevices.Resolve(Device); // throws for unknown names and for CUDA where libtorch has none
    }
}
