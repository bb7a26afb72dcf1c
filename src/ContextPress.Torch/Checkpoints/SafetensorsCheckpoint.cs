using System.Text.Json;
using ContextPress.Torch.Safetensors;
using static TorchSharp.torch;

namespace ContextPress.Torch.Checkpoints;

/// <summary>
/// A Hugging Face safetensors checkpoint: one <c>model.safetensors</c>, or shards listed by
/// <c>model.safetensors.index.json</c>. All files stay memory-mapped until disposed.
/// </summary>
public sealed class SafetensorsCheckpoint : ICheckpointReader
{
    /// <summary>File name of a single-file checkpoint.</summary>
    public const string SingleFileName = "model.safetensors";

    /// <summary>File name of a sharded checkpoint's index.</summary>
    public const string IndexFileName = "model.safetensors.index.json";

    private readonly List<SafetensorsFile> _files;
    private readonly Dictionary<string, SafetensorsFile> _byName;

    private SafetensorsCheckpoint(List<SafetensorsFile> files, Dictionary<string, SafetensorsFile> byName)
    {
        _files = files;
        _byName = byName;
    }

    /// <inheritdoc />
    public IReadOnlyCollection<string> TensorNames => _byName.Keys;

    /// <summary>The files' <c>__metadata__</c> maps merged (a key the first file sets wins); empty when none has one.</summary>
    public IReadOnlyDictionary<string, string> Metadata
    {
        get
        {
            var merged = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var file in _files)
            {
                foreach (var (key, value) in file.Metadata)
                {
                    merged.TryAdd(key, value);
                }
            }
            return merged;
        }
    }

    /// <summary>The stored entry of a tensor (dtype, shape, offsets).</summary>
    /// <exception cref="KeyNotFoundException">No tensor of that name.</exception>
    public SafetensorsTensorInfo GetInfo(string name) => Find(name).Tensors[name];

    /// <summary>
    /// Opens a checkpoint from a model directory (index first, then <c>model.safetensors</c>, then the only
    /// <c>*.safetensors</c> file) or from the path of a single <c>.safetensors</c> file.
    /// </summary>
    /// <exception cref="FileNotFoundException">No checkpoint there.</exception>
    /// <exception cref="InvalidDataException">A file or the index is malformed, or two shards hold the same tensor.</exception>
    public static SafetensorsCheckpoint Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (File.Exists(path))
        {
            return FromFiles([path]);
        }
        if (!Directory.Exists(path))
        {
            throw new FileNotFoundException($"No safetensors checkpoint at '{path}'.", path);
        }
        var index = System.IO.Path.Combine(path, IndexFileName);
        if (File.Exists(index))
        {
            return FromFiles(ReadIndex(index).Select(f => System.IO.Path.Combine(path, f)).ToList());
        }
        var single = System.IO.Path.Combine(path, SingleFileName);
        if (File.Exists(single))
        {
            return FromFiles([single]);
        }
        var candidates = Directory.GetFiles(path, "*.safetensors");
        return candidates.Length == 1
            ? FromFiles(candidates)
            : throw new FileNotFoundException(
                $"'{path}' has no {IndexFileName} or {SingleFileName}, and {candidates.Length} other *.safetensors files.", path);
    }

    private static IReadOnlyList<string> ReadIndex(string indexPath)
    {
        using var stream = File.OpenRead(indexPath);
        using var document = JsonDocument.Parse(stream);
        if (!document.RootElement.TryGetProperty("weight_map", out var map) || map.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException($"{indexPath} has no weight_map object.");
        }
        return map.EnumerateObject().Select(p => p.Value.GetString() ?? throw new InvalidDataException($"{indexPath}: '{p.Name}' maps to no file."))
            .Distinct(StringComparer.Ordinal).ToList();
    }

    private static SafetensorsCheckpoint FromFiles(IReadOnlyList<string> paths)
    {
        var files = new List<SafetensorsFile>(paths.Count);
        try
        {
            var byName = new Dictionary<string, SafetensorsFile>(StringComparer.Ordinal);
            foreach (var path in paths)
            {
                var file = SafetensorsFile.Open(path);
                files.Add(file);
                foreach (var name in file.Tensors.Keys)
                {
                    if (!byName.TryAdd(name, file))
                    {
                        throw new InvalidDataException($"Tensor '{name}' is in both {byName[name].Path} and {path}.");
                    }
                }
            }
            return new SafetensorsCheckpoint(files, byName);
        }
        catch
        {
            foreach (var file in files)
            {
                file.Dispose();
            }
            throw;
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<long> GetShape(string name) => GetInfo(name).Shape;

    /// <inheritdoc />
    public Tensor ReadTensor(string name) => Find(name).ReadTensor(name);

    private SafetensorsFile Find(string name) =>
        _byName.TryGetValue(name, out var file) ? file : throw new KeyNotFoundException($"The checkpoint has no tensor named '{name}'.");

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var file in _files)
        {
            file.Dispose();
        }
    }
}
