namespace Dcu.Core.Model;

/// <summary>
/// Meter alarms as the DCU names them, whatever protocol reported them: the value of the quantity
/// <see cref="MeterStatus.Obis"/> is these bits as a number. Drivers map their protocol's status
/// words onto them (DL/T 645 running status words in Dcu.Drivers); a bit a protocol cannot report
/// is never set, so a meter that cannot tell is "not open", not "closed for sure".
/// </summary>
[Flags]
public enum MeterStatusFlags
{
    None = 0,
    /// <summary>The meter cover (or terminal cover) is open.</summary>
    CoverOpen = 1 << 0,
    /// <summary>The load relay is open (supply disconnected).</summary>
    RelayOpen = 1 << 1,
    /// <summary>The clock battery is low: the meter's clock may be lost at the next power cut.</summary>
    ClockBatteryLow = 1 << 2,
}
