using Dcu.Core.Abstractions;
using Dcu.Core.Model;
using Dcu.Drivers.Plc;

namespace Dcu.Drivers.Tests.Plc;

internal static class PlcHex
{
    public static byte[] Bytes(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));

    public static string Of(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes);
}

/// <summary>Frames from shared/protocols/qgdw1376-2.md (main node 000000000001, meter 123456789012).</summary>
internal static class PlcVectors
{
    public const string Afn13Down = "68 2F 00 41 04 00 00 00 00 01 01 00 00 00 00 00 12 90 78 56 34 12 13 01 00 02 00 00 10 68 12 90 78 56 34 12 68 11 04 33 33 34 33 68 16 09 16";
    public const string Afn13Up = "68 33 00 81 04 00 00 00 00 01 12 90 78 56 34 12 01 00 00 00 00 00 13 01 00 00 00 02 14 68 12 90 78 56 34 12 68 91 08 33 33 34 33 89 67 45 33 54 16 25 16";
    public const string Afn03F4Down = "68 0F 00 41 00 00 00 00 00 02 03 08 00 4E 16";

    public const string Meter = "123456789012";
    public const string MainNode = "000000000001";
    public const string Dlt645Read00010000 = "68 12 90 78 56 34 12 68 11 04 33 33 34 33 68 16";
    public const string Dlt645Reply1234_56 = "68 12 90 78 56 34 12 68 91 08 33 33 34 33 89 67 45 33 54 16";
}

/// <summary>
/// Minimal stand-in for DL/T 645-2007, only what the notes show: read 00010000 (forward active
/// energy) and its reply, for any address. The real codec plugs in at merge.
/// </summary>
internal static class FakeDlt645
{
    public static byte[] Read00010000(string address) => Frame(address, 0x11, [0x33, 0x33, 0x34, 0x33]);

    /// <summary>A meter answering 00010000 with <paramref name="hundredthsKwh"/>/100 kWh; silent for anything else.</summary>
    public static Func<ReadOnlyMemory<byte>, byte[]?> Meter(string address, uint hundredthsKwh = 123456) => request =>
        request.Span.SequenceEqual(Read00010000(address)) ? Reply(address, hundredthsKwh) : null;

    public static byte[] Reply(string address, uint hundredthsKwh)
    {
        var bcd = new byte[4];
        var v = hundredthsKwh;
        for (var i = 0; i < 4; i++, v /= 100) bcd[i] = (byte)((((v % 100) / 10) << 4) | (v % 10));
        return Frame(address, 0x91, [0x33, 0x33, 0x34, 0x33, .. bcd.Select(b => (byte)(b + 0x33))]);
    }

    private static byte[] Frame(string address, byte control, byte[] data)
    {
        var a = PlcAddress.Parse(address).ToBytes();
        byte[] head = [0x68, .. a, 0x68, control, (byte)data.Length, .. data];
        return [.. head, Q13762Frame.Checksum(head), 0x16];
    }
}

/// <summary>A test <see cref="IPlcMeterProtocol"/> for 00010000 only.</summary>
internal sealed class FakeDlt645Protocol : IPlcMeterProtocol
{
    public PlcProtocolType ProtocolType => PlcProtocolType.Dlt645_2007;

    public IReadOnlyCollection<ObisCode> SupportedQuantities(Meter meter) => [ObisCode.ActiveEnergyImport];

    public byte[] BuildRead(string meterAddress, ObisCode quantity) => FakeDlt645.Read00010000(meterAddress);

    public bool TryDecode(ReadOnlySpan<byte> reply, string meterAddress, ObisCode quantity, out MeterValue value, out string failureReason)
    {
        value = default;
        failureReason = "frame";
        if (reply.Length != 20 || reply[0] != 0x68 || reply[7] != 0x68 || reply[^1] != 0x16) return false;
        failureReason = "checksum";
        if (Q13762Frame.Checksum(reply[..^2]) != reply[^2]) return false;
        failureReason = "wrong_address";
        if (PlcAddress.Read(reply[1..]) != PlcAddress.Parse(meterAddress)) return false;
        failureReason = "error_reply";
        if (reply[8] != 0x91) return false;
        double v = 0;
        for (var i = 3; i >= 0; i--)
        {
            var b = (byte)(reply[14 + i] - 0x33);
            v = (v * 100) + ((b >> 4) * 10) + (b & 0x0F);
        }
        value = new MeterValue(quantity, v / 100, "kWh");
        failureReason = "";
        return true;
    }
}
