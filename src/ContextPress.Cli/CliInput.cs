using System.Buffers;
using System.Text;

namespace ContextPress.Cli;

/// <summary>The decoded input of one run.</summary>
/// <param name="Text">The text, BOM stripped.</param>
/// <param name="Bytes">The number of bytes read, BOM included.</param>
/// <param name="Source">Where it came from, for the report: the file path, <c>-</c> for stdin, or <c>sample</c>.</param>
internal sealed record CliInputText(string Text, long Bytes, string Source);

/// <summary>Reads input bytes and decodes them as strict UTF-8.</summary>
internal static class CliInput
{
    /// <summary>The largest input accepted (a .NET string holds about 1G characters).</summary>
    public const long MaxInputBytes = 512L * 1024 * 1024;

    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Reads a whole file; missing, unreadable and oversized files become input errors.</summary>
    public static async Task<byte[]> ReadFileAsync(string path, CancellationToken cancellationToken)
    {
        if (Directory.Exists(path))
        {
            throw CliException.Input($"input '{path}' is a directory, not a file");
        }

        if (!File.Exists(path))
        {
            throw CliException.Input($"input file '{path}' does not exist");
        }

        try
        {
            var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
            await using (stream.ConfigureAwait(false))
            {
                if (stream.CanSeek && stream.Length > MaxInputBytes)
                {
                    throw CliException.Input($"input file '{path}' is {stream.Length} bytes; the limit is {MaxInputBytes} bytes");
                }

                return await ReadAllAsync(stream, $"input file '{path}'", cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw CliException.Input($"cannot read input file '{path}': {ex.Message}", ex);
        }
    }

    /// <summary>Reads a stream to its end.</summary>
    public static async Task<byte[]> ReadStreamAsync(Stream stream, string what, CancellationToken cancellationToken)
    {
        try
        {
            return await ReadAllAsync(stream, what, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw CliException.Input($"cannot read {what}: {ex.Message}", ex);
        }
    }

    /// <summary>Strips a UTF-8 BOM and decodes strictly; invalid bytes become an input error naming their offset.</summary>
    /// <param name="bytes">The raw input.</param>
    /// <param name="source">The report's name for the input.</param>
    /// <param name="description">The input as error messages name it (for example <c>input file 'a.txt'</c>).</param>
    public static CliInputText Decode(byte[] bytes, string source, string description)
    {
        int skip = bytes.AsSpan().StartsWith(Utf8Bom) ? Utf8Bom.Length : 0;
        ReadOnlySpan<byte> body = bytes.AsSpan(skip);
        try
        {
            return new CliInputText(s_strictUtf8.GetString(body), bytes.LongLength, source);
        }
        catch (DecoderFallbackException ex)
        {
            int offset = skip + FindInvalidOffset(body);
            string found = offset < bytes.Length ? $"byte 0x{bytes[offset]:X2}" : "truncated sequence";
            throw CliException.Input($"{description} is not valid UTF-8: invalid {found} at byte offset {offset}", ex);
        }
    }

    /// <summary>Returns the offset of the first byte that does not start a valid UTF-8 scalar.</summary>
    private static int FindInvalidOffset(ReadOnlySpan<byte> bytes)
    {
        int offset = 0;
        while (offset < bytes.Length)
        {
            if (System.Text.Rune.DecodeFromUtf8(bytes[offset..], out _, out int consumed) != OperationStatus.Done)
            {
                return offset;
            }

            offset += consumed;
        }

        return offset;
    }

    private static async Task<byte[]> ReadAllAsync(Stream stream, string what, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream(stream.CanSeek ? (int)Math.Min(stream.Length, MaxInputBytes) : 81920);
        byte[] chunk = ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            int read;
            while ((read = await stream.ReadAsync(chunk.AsMemory(), cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > MaxInputBytes)
                {
                    throw CliException.Input($"{what} is larger than the limit of {MaxInputBytes} bytes");
                }

                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        return buffer.ToArray();
    }
}
