using static TorchSharp.torch;

namespace ContextPress.Torch.Checkpoints;

/// <summary>
/// An in-memory checkpoint over tensors already materialized (e.g. converted from a legacy format).
/// It owns the tensors and disposes them with itself; <see cref="ReadTensor"/> hands out aliases.
/// </summary>
public sealed class TensorDictionaryCheckpoint : ICheckpointReader
{
    private readonly Dictionary<string, Tensor> _tensors;

    /// <summary>Takes ownership of <paramref name="tensors"/> (detached from any dispose scope).</summary>
    public TensorDictionaryCheckpoint(IReadOnlyDictionary<string, Tensor> tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        _tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, tensor) in tensors)
        {
            _tensors.Add(name, tensor.DetachFromDisposeScope());
        }
    }

    /// <inheritdoc />
    public IReadOnlyCollection<string> TensorNames => _tensors.Keys;

    /// <inheritdoc />
    public IReadOnlyList<long> GetShape(string name) => Get(name).shape;

    /// <inheritdoc />
    public Tensor ReadTensor(string name) => Get(name).alias();

    private Tensor Get(string name) =>
        _tensors.TryGetValue(name, out var t) ? t : throw new KeyNotFoundException($"The checkpoint has no tensor named '{name}'.");

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var tensor in _tensors.Values)
        {
            tensor.Dispose();
        }
        _tensors.Clear();
    }
}
