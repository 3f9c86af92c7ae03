namespace Dcu.Drivers.Dlt645;

/// <summary>Function code: bits D4..D0 of the control byte (DL/T 645-2007, 7.1.3).</summary>
public enum Dlt645Function : byte
{
    BroadcastTime = 0x08,
    ReadData = 0x11,
    ReadFollowUp = 0x12,
    ReadAddress = 0x13,
    WriteData = 0x14,
    WriteAddress = 0x15,
    Freeze = 0x16,
    ChangeBaudRate = 0x17,
    ChangePassword = 0x18,
    ClearDemand = 0x19,
    ClearMeter = 0x1A,
    ClearEvents = 0x1B,

    /// <summary>Relay trip / close permission, alarm, keep power ("control command").</summary>
    Control = 0x1C,
}
