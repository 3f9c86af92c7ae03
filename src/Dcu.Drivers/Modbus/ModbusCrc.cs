namespace Dcu.Drivers.Modbus;

/// <summary>
/// CRC-16/MODBUS ("MODBUS over Serial Line V1.02", 6.2.2): reflected polynomial 0xA001, initial
/// value 0xFFFF, no final xor, sent low byte first. Check value of ASCII "123456789" is 0x4B37.
/// </summary>
public static class ModbusCrc
{
    private static readonly ushort[] Table = BuildTable();

    /// <summary>Computes the CRC of <paramref name="data"/>.</summary>
    public static ushort Compute(ReadOnlySpan<byte> data)
    {
        ushort crc = 0xFFFF;
        foreach (var b in data)
        {
            crc = (ushort)((crc >> 8) ^ Table[(crc ^ b) & 0xFF]);
        }

        return crc;
    }

    /// <summary>Writes <paramref name="crc"/> as it goes on the wire: low byte first.</summary>
    public static void Write(Span<byte> destination, ushort crc)
    {
        destination[0] = (byte)crc;
        destination[1] = (byte)(crc >> 8);
    }

    /// <summary>True when the last two bytes of <paramref name="frame"/> are the CRC of the bytes before them.</summary>
    public static bool Check(ReadOnlySpan<byte> frame)
    {
        if (frame.Length < 3)
        {
            return false;
        }

        var expected = Compute(frame[..^2]);
        return frame[^2] == (byte)expected && frame[^1] == (byte)(expected >> 8);
    }

    private static ushort[] BuildTable()
    {
        var table = new ushort[256];
        for (var i = 0; i < 256; i++)
        {
            var value = (ushort)i;
            for (var bit = 0; bit < 8; bit++)
            {
                value = (value & 1) != 0 ? (ushort)((value >> 1) ^ 0xA001) : (ushort)(value >> 1);
            }

            table[i] = value;
        }

        return table;
    }
}
