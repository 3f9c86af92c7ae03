using Dcu.Drivers.Modbus;

namespace Dcu.Drivers.Tests.Modbus;

/// <summary>Builds RTU ADUs for tests (requests and replies alike) with the real <see cref="ModbusCrc"/>.</summary>
internal static class RtuAdu
{
    /// <summary><c>unit pdu crc_lo crc_hi</c>.</summary>
    public static byte[] Of(byte unit, params ReadOnlySpan<byte> pdu)
    {
        var adu = new byte[pdu.Length + 3];
        adu[0] = unit;
        pdu.CopyTo(adu.AsSpan(1));
        ModbusCrc.Write(adu.AsSpan(adu.Length - 2), ModbusCrc.Compute(adu.AsSpan(0, adu.Length - 2)));
        return adu;
    }
}
