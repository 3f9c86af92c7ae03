namespace Dcu.Drivers.Dlt645;

/// <summary>
/// N1 of the control command (1CH). Verified against public terminal and meter firmware sources:
/// 1AH trip, 1BH close permitted (the customer closes by button/card), 2AH alarm, 2BH alarm
/// release, 3AH keep power (protect), 3BH keep power release; 1CH "close directly" comes from the
/// State Grid amendment (2013 meters) and older meters may refuse it.
/// </summary>
public enum Dlt645RelayCommand : byte
{
    Trip = 0x1A,
    ClosePermitted = 0x1B,
    CloseDirect = 0x1C,
    Alarm = 0x2A,
    AlarmRelease = 0x2B,
    KeepPower = 0x3A,
    KeepPowerRelease = 0x3B,
}
