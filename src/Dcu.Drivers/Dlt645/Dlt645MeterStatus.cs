using Dcu.Core.Model;

namespace Dcu.Drivers.Dlt645;

/// <summary>
/// DL/T 645-2007 running status words as the protocol-neutral <see cref="MeterStatusFlags"/> of the
/// quantity <see cref="MeterStatus.Obis"/>: word 1 bit 2 clock battery low, word 3 bit 4 relay open.
/// The cover is not in words 1..3 (DL/T 645 keeps cover openings as event records, 03300D00, not
/// read here), so <see cref="MeterStatusFlags.CoverOpen"/> is never set for these meters.
/// </summary>
public static class Dlt645MeterStatus
{
    public static MeterStatusFlags ToFlags(Dlt645RunningStatus1 word1, Dlt645RunningStatus3 word3) =>
        (word1.HasFlag(Dlt645RunningStatus1.ClockBatteryLow) ? MeterStatusFlags.ClockBatteryLow : MeterStatusFlags.None)
        | (word3.HasFlag(Dlt645RunningStatus3.RelayOpen) ? MeterStatusFlags.RelayOpen : MeterStatusFlags.None);
}
