using static TorchSharp.torch;

namespace ContextPress.Torch.Checkpoints;

/// <summary>A named collection of tensors to load into a module (a safetensors checkpoint, a converted legacy format, ...).</summary>
public interface ICheckpointReader : IDisposable
{
    /// <summary>Names of all tensors, as stored.</summary>
    IReadOnlyCollection<string> TensorNames { get; }

    /// <summary>The shape of a tensor without materializing it.</summary>
    /// <exception cref="KeyNotFoundException">No tensor of that name.</exception>
    IReadOnlyList<long> GetShape(string name);

    /// <summary>Materializes a tensor on the CPU in its stored dtype; the caller owns (or scopes) the result.</summary>
    /// <exception cref="KeyNotFoundException">No tensor of that name.</exception>
    Tensor ReadTensor(string name);
}
