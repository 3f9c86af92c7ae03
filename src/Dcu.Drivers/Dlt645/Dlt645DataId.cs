namespace Dcu.Drivers.Dlt645;

/// <summary>
/// DL/T 645-2007 data identifiers (DI3 DI2 DI1 DI0, written here most significant first; sent DI0
/// first). The enum names the ones this driver maps (see <see cref="Dlt645DataIdentifiers"/>);
/// any other 32-bit value can be cast and read raw.
/// </summary>
public enum Dlt645DataId : uint
{
    CombinedActiveEnergyTotal = 0x00000000,
    ForwardActiveEnergyTotal = 0x00010000,
    ForwardActiveEnergyTariff1 = 0x00010100,
    ForwardActiveEnergyTariff2 = 0x00010200,
    ForwardActiveEnergyTariff3 = 0x00010300,
    ForwardActiveEnergyTariff4 = 0x00010400,

    /// <summary>Block: total and tariffs 1..n, 4 bytes each (a follow-up candidate on meters with many tariffs).</summary>
    ForwardActiveEnergyBlock = 0x0001FF00,
    ReverseActiveEnergyTotal = 0x00020000,
    ReverseActiveEnergyTariff1 = 0x00020100,
    ReverseActiveEnergyTariff2 = 0x00020200,
    ReverseActiveEnergyTariff3 = 0x00020300,
    ReverseActiveEnergyTariff4 = 0x00020400,
    CombinedReactive1EnergyTotal = 0x00030000,
    CombinedReactive2EnergyTotal = 0x00040000,

    VoltageA = 0x02010100,
    VoltageB = 0x02010200,
    VoltageC = 0x02010300,
    CurrentA = 0x02020100,
    CurrentB = 0x02020200,
    CurrentC = 0x02020300,
    ActivePowerTotal = 0x02030000,
    ActivePowerA = 0x02030100,
    ActivePowerB = 0x02030200,
    ActivePowerC = 0x02030300,
    ReactivePowerTotal = 0x02040000,
    PowerFactorTotal = 0x02060000,

    /// <summary>Date and weekday, YYMMDDWW (WW 0 = Sunday).</summary>
    Date = 0x04000101,

    /// <summary>Time, hhmmss.</summary>
    Time = 0x04000102,
    RunningStatus1 = 0x04000501,
    RunningStatus2 = 0x04000502,
    RunningStatus3 = 0x04000503,

    /// <summary>Last (1st previous) daily freeze time, YYMMDDhhmm. 0506000n is the n-th previous (1..62).</summary>
    DailyFrozenTime1 = 0x05060001,

    /// <summary>Last daily frozen forward active energy: total and tariffs 1..4, 5 x XXXXXX.XX kWh.</summary>
    DailyFrozenForwardActive1 = 0x05060101,

    /// <summary>Last daily frozen reverse active energy: total and tariffs 1..4, 5 x XXXXXX.XX kWh.</summary>
    DailyFrozenReverseActive1 = 0x05060201,
}
