using System.Text.Json;
using System.Text.Json.Serialization;
using ContextPress.Torch.HuggingFace;
using ContextPress.Torch.Safetensors;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ContextPress.Predictor.Compression;

/// <summary>
/// Compressed checkpoints: a Hugging Face directory (<c>config.json</c>, tokenizer files, <c>model.safetensors</c>)
/// whose safetensors holds dense tensors for untouched weights and, for a compressed projection <c>N</c>, its kind's
/// tensors (<c>N.qweight</c>/<c>N.scales</c>/<c>N.zeros</c>, <c>N.low_rank_down</c>/<c>N.low_rank_up</c>, or a pruned
/// <c>N.weight</c>) plus <c>N.eora_down</c>/<c>N.eora_up</c> for a correction. The file's <c>__metadata__</c> has
/// <c>format</c> = <see cref="Format"/>, <c>method</c> and <c>layers</c> (JSON: name → layout), which
/// <see cref="CausalLM.FromPretrained"/> reads to build the modules before loading the tensors. A
/// <c>compression.json</c> sidecar (<see cref="CompressionManifest"/>) describes the run.
/// </summary>
public static class CompressedCheckpoint
{
    /// <summary>The <c>format</c> metadata value of a compressed checkpoint.</summary>
    public const string Format = "contextpress-compressed/v1";

    /// <summary>File name of the sidecar.</summary>
    public const string ManifestFileName = "compression.json";

    /// <summary>Tokenizer and generation files copied from the source directory when present.</summary>
    private static readonly string[] CompanionFiles =
        ["tokenizer.json", "tokenizer.model", "tokenizer_config.json", "special_tokens_map.json", "generation_config.json", "vocab.json", "merges.txt"];

    /// <summary>JSON options of the metadata and the sidecar: snake_case, nulls omitted.</summary>
    public static JsonSerializerOptions SerializerOptions { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
    };

    private static readonly JsonSerializerOptions CompactOptions = new(SerializerOptions) { WriteIndented = false };

    /// <summary>
    /// Writes <paramref name="model"/> (compressed or not) to <paramref name="directory"/>: <c>model.safetensors</c> with
    /// the metadata above, <c>compression.json</c>, and <c>config.json</c> plus tokenizer files copied from
    /// <paramref name="sourceDirectory"/> (or the config serialized from the model when there is none).
    /// </summary>
    public static void Save(CausalLM model, string directory, CompressionManifest manifest, string? sourceDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(manifest);
        Directory.CreateDirectory(directory);
        var sourceConfig = sourceDirectory is null ? null : Path.Combine(sourceDirectory, HfConfig.FileName);
        if (sourceConfig is not null && File.Exists(sourceConfig))
        {
            File.Copy(sourceConfig, Path.Combine(directory, HfConfig.FileName), overwrite: true);
        }
        else
        {
            File.WriteAllText(Path.Combine(directory, HfConfig.FileName), JsonSerializer.Serialize(model.Config, HfConfig.SerializerOptions));
        }
        if (sourceDirectory is not null && !Path.GetFullPath(sourceDirectory).Equals(Path.GetFullPath(directory), StringComparison.Ordinal))
        {
            foreach (var file in CompanionFiles.Select(f => Path.Combine(sourceDirectory, f)).Where(File.Exists))
            {
                File.Copy(file, Path.Combine(directory, Path.GetFileName(file)), overwrite: true);
            }
        }

        var layers = manifest.Layers.ToDictionary(l => l.Name, l => l.Layout, StringComparer.Ordinal);
        var metadata = new Dictionary<string, string>
        {
            ["format"] = Format,
            ["method"] = manifest.Method,
            ["layers"] = JsonSerializer.Serialize(layers, CompactOptions),
        };
        using (var scope = NewDisposeScope())
        {
            SafetensorsWriter.Write(Path.Combine(directory, "model.safetensors"), model.state_dict(), metadata);
        }
        File.WriteAllText(Path.Combine(directory, ManifestFileName), JsonSerializer.Serialize(manifest, SerializerOptions));
    }

    /// <summary>Reads the layouts from a checkpoint's metadata; false for a dense checkpoint (no compressed format).</summary>
    /// <exception cref="InvalidDataException">The metadata claims the format but its layers are missing or malformed.</exception>
    public static bool TryReadLayouts(IReadOnlyDictionary<string, string> metadata, out string method, out IReadOnlyDictionary<string, CompressedLinearLayout> layouts)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        method = "";
        layouts = new Dictionary<string, CompressedLinearLayout>();
        if (!metadata.TryGetValue("format", out var format) || format != Format)
        {
            return false;
        }
        method = metadata.GetValueOrDefault("method") ?? "";
        if (!metadata.TryGetValue("layers", out var json))
        {
            throw new InvalidDataException($"A {Format} checkpoint has no 'layers' metadata.");
        }
        Dictionary<string, CompressedLinearLayout>? parsed;
        try
        {
            parsed = JsonSerializer.Deserialize<Dictionary<string, CompressedLinearLayout>>(json, SerializerOptions);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"The {Format} 'layers' metadata is malformed: {e.Message}", e);
        }
        foreach (var (name, layout) in parsed ?? [])
        {
            layout.Validate(name);
        }
        layouts = parsed ?? [];
        return true;
    }

    /// <summary>Reads <c>compression.json</c> from a directory, or null when there is none.</summary>
    /// <exception cref="InvalidDataException">The file is malformed.</exception>
    public static CompressionManifest? ReadManifest(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var path = Path.Combine(directory, ManifestFileName);
        if (!File.Exists(path))
        {
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize<CompressionManifest>(File.ReadAllText(path), SerializerOptions)
                ?? throw new InvalidDataException($"{path} is null.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is malformed: {e.Message}", e);
        }
    }

    /// <summary>Swaps each projection whose layout needs a module for an empty one of that layout (before loading tensors).</summary>
    /// <exception cref="InvalidDataException">A layout names a projection the model lacks, or its shape or bias does not match.</exception>
    internal static void ApplyLayouts(CausalLM model, IReadOnlyDictionary<string, CompressedLinearLayout> layouts)
    {
        foreach (var (name, layout) in layouts)
        {
            nn.Module<Tensor, Tensor> current;
            try
            {
                current = model.GetBlockLinear(name);
            }
            catch (ArgumentException e)
            {
                throw new InvalidDataException($"The checkpoint's compressed layer does not fit the model: {e.Message}", e);
            }
            if (current is not Linear linear)
            {
                throw new InvalidDataException($"Compressed layer '{name}' is listed twice.");
            }
            var weight = linear.weight!;
            if (weight.shape[0] != layout.OutFeatures || weight.shape[1] != layout.InFeatures || (linear.bias is not null) != layout.HasBias)
            {
                throw new InvalidDataException(
                    $"Compressed layer '{name}' is [{layout.OutFeatures}, {layout.InFeatures}]{(layout.HasBias ? " with bias" : "")}, but the config gives [{weight.shape[0]}, {weight.shape[1]}]{(linear.bias is null ? "" : " with bias")}.");
            }
            if (layout.NeedsModule)
            {
                model.ReplaceBlockLinear(name, CompressedLinear.Create(layout, model.DType, name));
            }
        }
    }
}
