using System.Text.Json;
using System.Text.Json.Serialization;

namespace ContextPress.Torch.HuggingFace;

/// <summary>Reads Hugging Face <c>config.json</c> files into records whose properties use the file's snake_case names.</summary>
public static class HfConfig
{
    /// <summary>File name of a model directory's configuration.</summary>
    public const string FileName = "config.json";

    /// <summary>Options used for configs: snake_case names, numbers allowed as strings, comments and trailing commas tolerated, unknown fields ignored.</summary>
    public static JsonSerializerOptions SerializerOptions { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowReadingFromString | JsonNumberHandling.AllowNamedFloatingPointLiterals,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    /// <summary>Parses config JSON.</summary>
    /// <exception cref="InvalidDataException">The JSON is malformed or does not fit <typeparamref name="T"/>.</exception>
    public static T Parse<T>(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json, SerializerOptions) ?? throw new InvalidDataException("config.json is null.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"config.json does not parse as {typeof(T).Name}: {e.Message}", e);
        }
    }

    /// <summary>Reads <c>config.json</c> from a model directory, or the given file.</summary>
    /// <exception cref="FileNotFoundException">No config there.</exception>
    /// <exception cref="InvalidDataException">The JSON is malformed or does not fit <typeparamref name="T"/>.</exception>
    public static T Load<T>(string directoryOrFile)
    {
        ArgumentException.ThrowIfNullOrEmpty(directoryOrFile);
        var path = Directory.Exists(directoryOrFile) ? Path.Combine(directoryOrFile, FileName) : directoryOrFile;
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"No {FileName} at '{directoryOrFile}'.", path);
        }
        try
        {
            return Parse<T>(File.ReadAllText(path));
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }
}
