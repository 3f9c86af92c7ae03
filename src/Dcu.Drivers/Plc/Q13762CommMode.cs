namespace Dcu.Drivers.Plc;

/// <summary>Communication mode, control field bits D5..D0.</summary>
public enum Q13762CommMode : byte
{
    Reserved = 0,

    /// <summary>Narrowband PLC, centralised routing (the typical 41H/81H/C1H control bytes).</summary>
    NarrowbandCentralised = 1,

    /// <summary>Narrowband PLC, distributed routing.</summary>
    NarrowbandDistributed = 2,

    /// <summary>Broadband PLC (HPLC).</summary>
    Broadband = 3,

    MicroPowerWireless = 10,

    Ethernet = 20,
}
