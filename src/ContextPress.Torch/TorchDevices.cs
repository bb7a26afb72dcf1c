using TorchSharp;
using static TorchSharp.torch;

namespace ContextPress.Torch;

/// <summary>Resolves the <c>--device auto|cpu|cuda[:N]</c> choice of the CLI and options to a TorchSharp device.</summary>
public static class TorchDevices
{
    /// <summary>
    /// <c>auto</c> (or empty): CUDA device 0 when libtorch reports CUDA, else CPU; <c>cpu</c>; <c>cuda</c> or <c>cuda:N</c>,
    /// which must be available.
    /// </summary>
    /// <exception cref="ArgumentException">Unknown name, or CUDA asked for where libtorch has none (e.g. TorchSharp-cpu).</exception>
    public static Device Resolve(string? name)
    {
        var text = (name ?? "auto").Trim().ToLowerInvariant();
        if (text is "" or "auto")
        {
            return cuda.is_available() ? CUDA : CPU;
        }
        if (text == "cpu")
        {
            return CPU;
        }
        if (text == "cuda" || text.StartsWith("cuda:", StringComparison.Ordinal))
        {
            if (!cuda.is_available())
            {
                throw new ArgumentException($"Device '{name}' was asked for, but libtorch reports no CUDA device (is the TorchSharp-cpu backend referenced?).", nameof(name));
            }
            var index = text == "cuda" ? 0 : int.TryParse(text[5..], out var i) && i >= 0 ? i : throw new ArgumentException($"Bad CUDA device '{name}'.", nameof(name));
            if (index >= cuda.device_count())
            {
                throw new ArgumentException($"Device '{name}' does not exist: {cuda.device_count()} CUDA device(s).", nameof(name));
            }
            return new Device(DeviceType.CUDA, index);
        }
        throw new ArgumentException($"Unknown device '{name}' (auto, cpu, cuda, cuda:N).", nameof(name));
    }
}
