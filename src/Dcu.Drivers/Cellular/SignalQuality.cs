using System.Diagnostics.CodeAnalysis;

namespace Dcu.Drivers.Cellular;

/// <summary>
/// <c>+CSQ: &lt;rssi&gt;,&lt;ber&gt;</c>, TS 27.007 8.5. rssi 0 = -113 dBm or less, 1 = -111 dBm,
/// 2..30 = -109..-53 dBm in steps of 2, 31 = -51 dBm or more, 99 = not known; ber 0..7 (RXQUAL,
/// TS 45.008 8.2.4) or 99 = not known.
/// </summary>
public sealed record SignalQuality(int Rssi, int Ber)
{
    public const int NotKnown = 99;

    /// <summary>Received signal strength in dBm (the bounds for 0 and 31), or null when not known.</summary>
    public int? Dbm => Rssi == NotKnown ? null : -113 + 2 * Rssi;

    /// <summary>rssi 0..31 scaled to 0..100 (rounded), or null when not known.</summary>
    public int? QualityPercent => Rssi == NotKnown ? null : (int)Math.Round(Rssi * 100.0 / 31, MidpointRounding.AwayFromZero);

    public static bool TryParse(string line, [NotNullWhen(true)] out SignalQuality? value, out AtFormatError error)
    {
        value = null;
        if (!AtFields.TryPayload(line, "+CSQ", out var payload)) { error = AtFormatError.MissingPrefix; return false; }
        var f = AtFields.Split(payload);
        if (f.Count < 2) { error = AtFormatError.MissingField; return false; }
        error = AtFields.TryInt(f[0], 0, NotKnown, out var rssi);
        if (error == AtFormatError.None && rssi is > 31 and < NotKnown) error = AtFormatError.OutOfRange;
        if (error != AtFormatError.None) return false;
        error = AtFields.TryInt(f[1], 0, NotKnown, out var ber);
        if (error == AtFormatError.None && ber is > 7 and < NotKnown) error = AtFormatError.OutOfRange;
        if (error != AtFormatError.None) return false;
        value = new SignalQuality(rssi, ber);
        return true;
    }
}
