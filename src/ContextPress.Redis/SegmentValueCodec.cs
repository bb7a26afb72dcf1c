using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using ContextPress.Segments;

namespace ContextPress.Redis;

/// <summary>
/// The stored form of a compressed segment: a 24-byte header, then the text as UTF-8.
/// </summary>
/// <remarks>
/// <code>
/// offset size field
///      0    4 magic "CPSG"
///      4    1 format version (1)
///      5    3 reserved, zero
///      8    4 token count, int32 little-endian
///     12    4 payload length in bytes, int32 little-endian
///     16    8 XxHash3 of (key id, header bytes 0-15, payload), little-endian
///     24    n payload: the compressed text, UTF-8
/// </code>
/// The checksum covers the key, so a value copied under another key is rejected like a corrupt one. Anything that
/// does not decode exactly (foreign data, another version, truncation, a flipped bit, invalid UTF-8) is a miss.
/// </remarks>
internal static class SegmentValueCodec
{
    public const int HeaderBytes = 24;
    public const byte FormatVersion = 1;

    private static ReadOnlySpan<byte> Magic => "CPSG"u8;

    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static byte[] Encode(SegmentCacheKey key, CachedSegment value)
    {
        int payloadLength = s_strictUtf8.GetByteCount(value.Text);
        byte[] buffer = new byte[HeaderBytes + payloadLength];
        Span<byte> span = buffer;
        Magic.CopyTo(span);
        span[4] = FormatVersion;
        BinaryPrimitives.WriteInt32LittleEndian(span[8..], value.Tokens);
        BinaryPrimitives.WriteInt32LittleEndian(span[12..], payloadLength);
        s_strictUtf8.GetBytes(value.Text, span[HeaderBytes..]);
        BinaryPrimitives.WriteUInt64LittleEndian(span[16..], Checksum(key, span[..16], span[HeaderBytes..]));
        return buffer;
    }

    public static bool TryDecode(SegmentCacheKey key, ReadOnlySpan<byte> data, out CachedSegment? value)
    {
        value = null;
        if (data.Length < HeaderBytes || !data[..4].SequenceEqual(Magic) || data[4] != FormatVersion || data[5] != 0 || data[6] != 0 || data[7] != 0)
        {
            return false;
        }

        int tokens = BinaryPrimitives.ReadInt32LittleEndian(data[8..]);
        int payloadLength = BinaryPrimitives.ReadInt32LittleEndian(data[12..]);
        if (tokens < 0 || payloadLength != data.Length - HeaderBytes)
        {
            return false;
        }

        ReadOnlySpan<byte> payload = data[HeaderBytes..];
        if (BinaryPrimitives.ReadUInt64LittleEndian(data[16..]) != Checksum(key, data[..16], payload))
        {
            return false;
        }

        try
        {
            value = new CachedSegment(s_strictUtf8.GetString(payload), tokens);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    private static ulong Checksum(SegmentCacheKey key, ReadOnlySpan<byte> header, ReadOnlySpan<byte> payload)
    {
        var hash = new XxHash3();
        Span<byte> id = stackalloc byte[key.Id.Length];
        Encoding.ASCII.GetBytes(key.Id, id);
        hash.Append(id);
        hash.Append(header);
        hash.Append(payload);
        return hash.GetCurrentHashAsUInt64();
    }
}
