using System.Text;

namespace ContextPress.Redis;

/// <summary>The Redis Cluster hash slot of a key: CRC16 (XMODEM) of its hash tag (or of the whole key) modulo 16384.</summary>
internal static class RedisHashSlot
{
    public const int SlotCount = 16384;

    private static readonly ushort[] s_table = CreateTable();

    public static int Of(string key)
    {
        ReadOnlySpan<char> hashed = key;
        int open = key.IndexOf('{', StringComparison.Ordinal);
        if (open >= 0)
        {
            int close = key.IndexOf('}', open + 1);
            if (close > open + 1)
            {
                hashed = key.AsSpan(open + 1, close - open - 1);
            }
        }

        Span<byte> bytes = stackalloc byte[Encoding.UTF8.GetMaxByteCount(Math.Min(hashed.Length, 512))];
        if (hashed.Length > 512)
        {
            bytes = new byte[Encoding.UTF8.GetMaxByteCount(hashed.Length)];
        }

        int length = Encoding.UTF8.GetBytes(hashed, bytes);
        ushort crc = 0;
        foreach (byte b in bytes[..length])
        {
            crc = (ushort)((crc << 8) ^ s_table[((crc >> 8) ^ b) & 0xFF]);
        }

        return crc % SlotCount;
    }

    private static ushort[] CreateTable()
    {
        var table = new ushort[256];
        for (int i = 0; i < 256; i++)
        {
            ushort crc = (ushort)(i << 8);
            for (int bit = 0; bit < 8; bit++)
            {
                crc = (crc & 0x8000) != 0 ? (ushort)((crc << 1) ^ 0x1021) : (ushort)(crc << 1);
            }

            table[i] = crc;
        }

        return table;
    }
}
