using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace ContextPress.Segments;

/// <summary>
/// Identifies a compressed segment: a namespace (tenant) and the SHA-256 of the namespace, the compressor fingerprint
/// (scorer and model version, encoding, rate and every other setting that changes the output), the segment kind and
/// the segment text. A change of compressor or settings gives another key, so a stale entry is never served.
/// </summary>
public readonly record struct SegmentCacheKey
{
    /// <summary>The longest namespace accepted.</summary>
    public const int MaxNamespaceLength = 128;

    private SegmentCacheKey(string @namespace, string id)
    {
        Namespace = @namespace;
        Id = id;
    }

    /// <summary>Gets the namespace (tenant) the entry belongs to.</summary>
    public string Namespace { get; }

    /// <summary>Gets the hash, 64 lower-case hexadecimal digits.</summary>
    public string Id { get; }

    /// <summary>Computes the key of a segment.</summary>
    /// <param name="namespace">The namespace (tenant); see <see cref="IsValidNamespace"/>.</param>
    /// <param name="compressorFingerprint">Changes whenever the compressed output could change.</param>
    /// <param name="kind">The segment kind.</param>
    /// <param name="text">The segment text.</param>
    /// <returns>The key.</returns>
    public static SegmentCacheKey Create(string @namespace, string compressorFingerprint, SegmentKind kind, ReadOnlySpan<char> text)
    {
        ThrowIfInvalidNamespace(@namespace);
        ArgumentNullException.ThrowIfNull(compressorFingerprint);

        // Every field is length-prefixed, so no two different tuples hash the same bytes.
        int capacity = 16 + Encoding.UTF8.GetMaxByteCount(@namespace.Length + compressorFingerprint.Length + text.Length);
        byte[] rented = ArrayPool<byte>.Shared.Rent(capacity);
        try
        {
            Span<byte> buffer = rented;
            int at = 0;
            at += WriteField(buffer[at..], @namespace);
            at += WriteField(buffer[at..], compressorFingerprint);
            BinaryPrimitives.WriteInt32LittleEndian(buffer[at..], (int)kind);
            at += 4;
            at += WriteField(buffer[at..], text);
            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(buffer[..at], hash);
            return new SegmentCacheKey(@namespace, Convert.ToHexStringLower(hash));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Tells whether <paramref name="namespace"/> is usable: 1 to <see cref="MaxNamespaceLength"/> characters,
    /// ASCII letters, digits and <c>- _ . : @ / + =</c> (no braces, so it can never form a Redis Cluster hash tag).</summary>
    /// <param name="namespace">The candidate.</param>
    /// <returns>True when valid.</returns>
    public static bool IsValidNamespace(string? @namespace)
    {
        if (string.IsNullOrEmpty(@namespace) || @namespace.Length > MaxNamespaceLength)
        {
            return false;
        }

        foreach (char c in @namespace)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_' or '.' or ':' or '@' or '/' or '+' or '='))
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc />
    public override string ToString() => Namespace + ":" + Id;

    internal static void ThrowIfInvalidNamespace(string? @namespace, string? parameterName = "namespace")
    {
        if (!IsValidNamespace(@namespace))
        {
            throw new ArgumentException(
                $"A namespace has 1 to {MaxNamespaceLength} characters: ASCII letters, digits and - _ . : @ / + = (got '{@namespace}').",
                parameterName);
        }
    }

    private static int WriteField(Span<byte> buffer, ReadOnlySpan<char> value)
    {
        int length = Encoding.UTF8.GetBytes(value, buffer[4..]);
        BinaryPrimitives.WriteInt32LittleEndian(buffer, length);
        return 4 + length;
    }
}
