using System.Diagnostics.CodeAnalysis;

namespace Dcu.Drivers.Plc;

/// <summary>
/// A 6-byte node address (main node, slave node/meter), sent low byte first: "123456789012" is
/// sent <c>12 90 78 56 34 12</c>. Written as 12 hex digits, most significant first; for the usual
/// BCD addresses these are the decimal digits printed on the meter.
/// </summary>
public readonly record struct PlcAddress
{
    public const int Length = 6;

    private readonly ulong _value;

    private PlcAddress(ulong value) => _value = value;

    /// <summary>The address as a 48-bit number (byte 0 on the wire = lowest byte).</summary>
    public ulong Value => _value;

    public static PlcAddress Parse(string text) =>
        TryParse(text, out var address) ? address : throw new FormatException($"'{text}' is not a 12-digit PLC node address");

    public static bool TryParse([NotNullWhen(true)] string? text, out PlcAddress address)
    {
        address = default;
        if (text is null || text.Length != 12) return false;
        ulong value = 0;
        foreach (var c in text)
        {
            int nibble = c switch
            {
                >= '0' and <= '9' => c - '0',
                >= 'A' and <= 'F' => c - 'A' + 10,
                >= 'a' and <= 'f' => c - 'a' + 10,
                _ => -1,
            };
            if (nibble < 0) return false;
            value = (value << 4) | (uint)nibble;
        }
        address = new PlcAddress(value);
        return true;
    }

    public static PlcAddress Read(ReadOnlySpan<byte> wire)
    {
        ulong value = 0;
        for (var i = Length - 1; i >= 0; i--) value = (value << 8) | wire[i];
        return new PlcAddress(value);
    }

    public void Write(Span<byte> destination)
    {
        var v = _value;
        for (var i = 0; i < Length; i++)
        {
            destination[i] = (byte)v;
            v >>= 8;
        }
    }

    public byte[] ToBytes()
    {
        var bytes = new byte[Length];
        Write(bytes);
        return bytes;
    }

    public override string ToString() => _value.ToString("X12", System.Globalization.CultureInfo.InvariantCulture);
}
