namespace Dcu.Drivers.Dlt645;

/// <summary>
/// Running status word 1 (04000501). Bits per DL/T 645-2007 Appendix A as described by public
/// meter firmware: bit 1 demand calculation (1 = block interval, 0 = sliding), bit 2 clock
/// battery low, bit 3 meter-reading (power-off) battery low, bit 4 total active power reverse,
/// bit 5 total reactive power reverse. Uncertain: some firmware reports the low-power battery
/// on bit 2 instead; bits 0, 6..15 are reserved or vendor-specific.
/// </summary>
[Flags]
public enum Dlt645RunningStatus1 : ushort
{
    None = 0,
    BlockDemand = 1 << 1,
    ClockBatteryLow = 1 << 2,
    ReadingBatteryLow = 1 << 3,
    ReverseActivePower = 1 << 4,
    ReverseReactivePower = 1 << 5,
}

/// <summary>Running status word 2 (04000502): per-phase direction of active (bits 0..2) and reactive (bits 4..6) power, 1 = reverse.</summary>
[Flags]
public enum Dlt645RunningStatus2 : ushort
{
    None = 0,
    ReverseActiveA = 1 << 0,
    ReverseActiveB = 1 << 1,
    ReverseActiveC = 1 << 2,
    ReverseReactiveA = 1 << 4,
    ReverseReactiveB = 1 << 5,
    ReverseReactiveC = 1 << 6,
}

/// <summary>
/// Running status word 3 (04000503, "operation"). Bit 4 = relay state (1 = open/tripped) is
/// verified (concentrator code polls 04000503 &amp; 0x10 after a trip). Also per the standard: bit 0
/// second day-period table in use, bits 1..2 supply (00 mains, 01 auxiliary, 10 battery), bit 3
/// programming enabled, bit 5 second time-zone table, bit 6 relay command state (1 = trip
/// ordered), bit 7 pre-trip alarm; bits 8..9 prepayment type (uncertain, not decoded).
/// </summary>
[Flags]
public enum Dlt645RunningStatus3 : ushort
{
    None = 0,
    SecondDayTable = 1 << 0,
    AuxiliarySupply = 1 << 1,
    BatterySupply = 1 << 2,
    ProgrammingEnabled = 1 << 3,
    RelayOpen = 1 << 4,
    SecondZoneTable = 1 << 5,
    RelayCommandOpen = 1 << 6,
    PreTripAlarm = 1 << 7,
}
