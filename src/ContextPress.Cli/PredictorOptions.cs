using System.CommandLine;
using System.Globalization;
using ContextPress.Predictor;
using ContextPress.Predictor.Caching;
using ContextPress.Predictor.Chat;
using ContextPress.Torch;
using Microsoft.Extensions.AI;

namespace ContextPress.Cli;

/// <summary>The options <c>generate</c> and <c>chat</c> share, and loading the model they name.</summary>
internal sealed class PredictorOptions
{
    public Option<string> Model { get; } = new("--model")
    {
        Description = "The checkpoint: a Hugging Face directory (config.json, safetensors, tokenizer.model) or a llama2.c .bin file (tok{N}.bin or tokenizer.bin beside it).",
        HelpName = "DIR|FILE",
        Required = true,
    };

    public Option<string> Tokenizer { get; } = new("--tokenizer")
    {
        Description = "A tokenizer file or directory to use instead of the one beside the checkpoint.",
        HelpName = "PATH",
    };

    public Option<string> MaxTokens { get; } = new("--max-tokens", "-n")
    {
        Description = "Most tokens to generate per reply. Default 256.",
        HelpName = "N",
    };

    public Option<string> Temperature { get; } = new("--temperature")
    {
        Description = "Sampling temperature; 0 (the default) is greedy.",
        HelpName = "T",
    };

    public Option<string> TopP { get; } = new("--top-p")
    {
        Description = "Nucleus sampling mass in (0, 1]. Default 1.",
        HelpName = "P",
    };

    public Option<string> Seed { get; } = new("--seed")
    {
        Description = "Seed for sampling (a whole number), for reproducible output.",
        HelpName = "S",
    };

    public Option<string> Device { get; } = new("--device")
    {
        Description = "Where to run: auto (CUDA when available), cpu, cuda or cuda:N.",
        HelpName = "auto|cpu|cuda",
        DefaultValueFactory = _ => "auto",
    };

    public Option<string> KvCache { get; } = new("--kv-cache")
    {
        Description = "KV cache: dense (default), kivi4 or kivi2 (KIVI quantization), gear (KIVI-4 + outliers + low rank), streaming (StreamingLLM sinks + recent), snapkv (SnapKV prefill eviction).",
        HelpName = "dense|kivi4|kivi2|streaming|snapkv|gear",
        DefaultValueFactory = _ => "dense",
    };

    public Option<string> KvBudget { get; } = new("--kv-budget")
    {
        Description = "Fraction of KV entries an evicting cache (streaming, snapkv) removes, in [0, 1). Default 0.5.",
        HelpName = "RATIO",
    };

    public IEnumerable<Option> All => [Model, Tokenizer, MaxTokens, Temperature, TopP, Seed, Device, KvCache, KvBudget];

    /// <summary>Reads <c>--kv-cache</c> and <c>--kv-budget</c>, throwing a usage error for a bad value.</summary>
    public KvCacheOptions ReadKvCacheOptions(ParseResult parseResult)
    {
        double? budget = null;
        if (parseResult.GetValue(KvBudget) is { } text)
        {
            budget = double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var b) && b >= 0 && b < 1
                ? b : throw CliException.Usage($"--kv-budget must be a fraction in [0, 1), not '{text}'");
        }
        var name = parseResult.GetValue(KvCache) ?? "dense";
        try
        {
            return KvCacheOptions.Parse(name, budget);
        }
        catch (ArgumentException)
        {
            throw CliException.Usage($"--kv-cache must be dense, kivi4, kivi2, streaming, snapkv or gear, not '{name}'");
        }
    }

    /// <summary>Reads the generation settings, throwing a usage error for a bad value.</summary>
    public ChatOptions ReadChatOptions(ParseResult parseResult)
    {
        var options = new ChatOptions { MaxOutputTokens = 256 };
        if (parseResult.GetValue(MaxTokens) is { } maxTokens)
        {
            options.MaxOutputTokens = int.TryParse(maxTokens, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
                ? n : throw CliException.Usage($"--max-tokens must be a whole number >= 1, not '{maxTokens}'");
        }
        if (parseResult.GetValue(Temperature) is { } temperature)
        {
            options.Temperature = float.TryParse(temperature, NumberStyles.Float, CultureInfo.InvariantCulture, out var t) && t >= 0 && float.IsFinite(t)
                ? t : throw CliException.Usage($"--temperature must be a number >= 0, not '{temperature}'");
        }
        if (parseResult.GetValue(TopP) is { } topP)
        {
            options.TopP = float.TryParse(topP, NumberStyles.Float, CultureInfo.InvariantCulture, out var p) && p > 0 && p <= 1
                ? p : throw CliException.Usage($"--top-p must be a number in (0, 1], not '{topP}'");
        }
        if (parseResult.GetValue(Seed) is { } seed)
        {
            options.Seed = long.TryParse(seed, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var s)
                ? s : throw CliException.Usage($"--seed must be a whole number, not '{seed}'");
        }
        return options;
    }

    /// <summary>Loads the model, turning missing or malformed files into input errors and a bad device into a usage error.</summary>
    public LocalModel Load(ParseResult parseResult)
    {
        TorchSharp.torch.Device device;
        try
        {
            device = TorchDevices.Resolve(parseResult.GetValue(Device));
        }
        catch (ArgumentException ex)
        {
            throw CliException.Usage(ex.ParamName is null ? ex.Message : ex.Message.Replace($" (Parameter '{ex.ParamName}')", "", StringComparison.Ordinal));
        }

        var path = parseResult.GetValue(Model)!;
        try
        {
            return LocalModel.Load(path, parseResult.GetValue(Tokenizer), device: device);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException or System.Text.Json.JsonException or ContextPress.Torch.Checkpoints.CheckpointMismatchException or NotSupportedException)
        {
            throw CliException.Input($"cannot load model: {ex.Message}", ex);
        }
    }

    /// <summary>A client over <paramref name="model"/> with <paramref name="template"/>; the caller disposes the model.</summary>
    public static LocalChatClient CreateClient(LocalModel model, IChatTemplate template, KvCacheOptions? kvCache = null) =>
        new(model.Model, model.Tokenizer, template, new LocalChatClientOptions { ModelId = model.Name, KvCache = kvCache ?? KvCacheOptions.Dense });
}
