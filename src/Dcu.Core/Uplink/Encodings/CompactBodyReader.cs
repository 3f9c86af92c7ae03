using System.Buffers.Binary;

namespace Dcu.Core.Uplink.Encodings;

/// <summary>Bounds-checked reads over a compact batch's bytes; every failure names the field being read.</summary>
internal ref struct CompactBodyReader(ReadOnlySpan<byte> bytes)
{
    private static readonly System.Text.UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly ReadOnlySpan<byte> _bytes = bytes;

    public int Position { get; private set; }

    public readonly int Remaining => _bytes.Length - Position;

    public ulong ReadVarint(string field)
    {
        ulong value = 0;
        for (var i = 0; i < Varint.MaxLength; i++)
        {
            if (Position >= _bytes.Length) throw new CompactFormatException(CompactFormatError.Truncated, field, "ends inside a varint");
            var b = _bytes[Position++];
            if (i == Varint.MaxLength - 1 && b > 1) throw new CompactFormatException(CompactFormatError.BadVarint, field, "varint longer than 64 bits");
            value |= (ulong)(b & 0x7F) << (7 * i);
            if (b < 0x80)
            {
                if (b == 0 && i > 0) throw new CompactFormatException(CompactFormatError.BadVarint, field, "varint not in its shortest form");
                return value;
            }
        }
        throw new CompactFormatException(CompactFormatError.BadVarint, field, "varint longer than 64 bits");
    }

    public long ReadSigned(string field) => Varint.UnZigZag(ReadVarint(field));

    /// <summary>A varint that must be at most <paramref name="max"/>.</summary>
    public int ReadCount(string field, long max)
    {
        var value = ReadVarint(field);
        if (value > (ulong)max) throw new CompactFormatException(CompactFormatError.TooLarge, field, $"{value} is over the limit {max}");
        return (int)value;
    }

    public ReadOnlySpan<byte> ReadBytes(int count, string field)
    {
        if (count > Remaining) throw new CompactFormatException(CompactFormatError.Truncated, field, $"needs {count} bytes, {Remaining} left");
        var span = _bytes.Slice(Position, count);
        Position += count;
        return span;
    }

    public byte ReadByte(string field) => ReadBytes(1, field)[0];

    public float ReadFloat32(string field) => BinaryPrimitives.ReadSingleLittleEndian(ReadBytes(4, field));

    public double ReadFloat64(string field) => BinaryPrimitives.ReadDoubleLittleEndian(ReadBytes(8, field));

    public string ReadString(string field)
    {
        var length = ReadCount(field + " length", CompactFormat.MaxStringLength);
        var bytes = ReadBytes(length, field);
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (System.Text.DecoderFallbackException ex)
        {
            throw new CompactFormatException(CompactFormatError.BadString, field, "not valid UTF-8", ex);
        }
    }
}
