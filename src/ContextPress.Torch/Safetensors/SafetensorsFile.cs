using System.IO.MemoryMappedFiles;
using TorchSharp;
using static TorchSharp.torch;

namespace ContextPress.Torch.Safetensors;

/// <summary>
/// A memory-mapped safetensors file: the header is parsed once, tensor bytes are read from the mapping
/// only when a tensor is materialized, straight into the tensor's memory.
/// </summary>
public sealed unsafe class SafetensorsFile : IDisposable
{
    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _pointer;
    private readonly long _dataStart;
    private bool _disposed;

    private SafetensorsFile(string path, MemoryMappedFile file, MemoryMappedViewAccessor view, byte* pointer, long dataStart,
        IReadOnlyDictionary<string, SafetensorsTensorInfo> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        Path = path;
        _file = file;
        _view = view;
        _pointer = pointer;
        _dataStart = dataStart;
        Tensors = tensors;
        Metadata = metadata;
    }

    /// <summary>The file's path.</summary>
    public string Path { get; }

    /// <summary>The tensors the header lists, keyed by name.</summary>
    public IReadOnlyDictionary<string, SafetensorsTensorInfo> Tensors { get; }

    /// <summary>The header's <c>__metadata__</c> map (empty when absent).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Maps <paramref name="path"/> read-only and parses its header.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">The file is not a valid safetensors file.</exception>
    public static SafetensorsFile Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var length = new FileInfo(path).Exists ? new FileInfo(path).Length : throw new FileNotFoundException("Safetensors file not found.", path);
        if (length < 8)
        {
            throw new InvalidDataException($"{path} is not a safetensors file: {length} bytes.");
        }
        var file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, mapName: null, capacity: 0, MemoryMappedFileAccess.Read);
        MemoryMappedViewAccessor? view = null;
        var acquired = false;
        try
        {
            view = file.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            byte* pointer = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
            acquired = true;
            pointer += view.PointerOffset;
            var headerLength = SafetensorsHeader.ReadLength(new ReadOnlySpan<byte>(pointer, 8), length);
            IReadOnlyDictionary<string, SafetensorsTensorInfo> tensors;
            IReadOnlyDictionary<string, string> metadata;
            try
            {
                tensors = SafetensorsHeader.Parse(new ReadOnlySpan<byte>(pointer + 8, (int)headerLength), length - 8 - headerLength, out metadata);
            }
            catch (InvalidDataException e)
            {
                throw new InvalidDataException($"{path}: {e.Message}", e);
            }
            return new SafetensorsFile(path, file, view, pointer, 8 + headerLength, tensors, metadata);
        }
        catch
        {
            if (acquired)
            {
                view!.SafeMemoryMappedViewHandle.ReleasePointer();
            }
            view?.Dispose();
            file.Dispose();
            throw;
        }
    }

    /// <summary>The raw little-endian bytes of a tensor, valid until this file is disposed.</summary>
    /// <exception cref="KeyNotFoundException">No tensor of that name.</exception>
    public ReadOnlySpan<byte> GetBytes(string name)
    {
        var info = GetInfo(name);
        if (info.ByteLength > int.MaxValue)
        {
            throw new NotSupportedException($"Tensor '{name}' is {info.ByteLength} bytes; spans are limited to 2 GiB (use ReadTensor).");
        }
        return new ReadOnlySpan<byte>(_pointer + _dataStart + info.Begin, (int)info.ByteLength);
    }

    /// <summary>
    /// Materializes a tensor on the CPU in its stored dtype, or converted to <paramref name="dtype"/>.
    /// The result owns its memory (a copy of the mapped bytes) and belongs to the current dispose scope.
    /// </summary>
    /// <exception cref="KeyNotFoundException">No tensor of that name.</exception>
    public Tensor ReadTensor(string name, ScalarType? dtype = null)
    {
        var info = GetInfo(name);
        var shape = info.Shape.ToArray();
        var stored = info.DType.ToScalarType();
        var tensor = empty(shape, stored, CPU);
        if (info.ByteLength > 0)
        {
            CopyInto(tensor, _pointer + _dataStart + info.Begin, info.ByteLength);
        }
        if (dtype is { } target && target != stored)
        {
            var converted = tensor.to_type(target);
            tensor.Dispose();
            return converted;
        }
        return tensor;
    }

    private static void CopyInto(Tensor tensor, byte* source, long length)
    {
        if (length <= int.MaxValue)
        {
            tensor.bytes = new Span<byte>(source, (int)length);
            return;
        }
        using var stream = new UnmanagedMemoryStream(source, length);
        tensor.ReadBytesFromStream(stream, 1 << 20);
    }

    private SafetensorsTensorInfo GetInfo(string name)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return Tensors.TryGetValue(name, out var info)
            ? info
            : throw new KeyNotFoundException($"{Path} has no tensor named '{name}'.");
    }

    /// <summary>Unmaps the file. Tensors already read stay valid.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _file.Dispose();
    }
}
