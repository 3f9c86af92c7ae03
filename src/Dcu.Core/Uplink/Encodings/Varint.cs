using System.Buffers;

namespace Dcu.Core.Uplink.Encodings;

/// <summary>Unsigned LEB128 (7 bits a byte, least significant first) and ZigZag for signed values.</summary>
internal static class Varint
{
    public const int MaxLength = 10;

    public static ulong ZigZag(long value) => (ulong)((value << 1) ^ (value >> 63));

    public static long UnZigZag(ulong value) => (long)(value >> 1) ^ -(long)(value & 1);

    public static int Length(ulong value)
    {
        var n = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            n++;
        }
        return n;
    }

    public static void Write(IBufferWriter<byte> output, ulong value)
    {
        var span = output.GetSpan(MaxLength);
        var n = 0;
        while (value >= 0x80)
        {
            span[n++] = (byte)(value | 0x80);
            value >>= 7;
        }
        span[n++] = (byte)value;
        output.Advance(n);
    }

    public static void WriteSigned(IBufferWriter<byte> output, long value) => Write(output, ZigZag(value));
}
