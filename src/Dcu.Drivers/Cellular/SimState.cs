namespace Dcu.Drivers.Cellular;

/// <summary>The SIM as <c>AT+CPIN?</c> (TS 27.007 8.3) reports it, or as its <c>+CME ERROR</c> tells (9.2.1).</summary>
public enum SimState
{
    /// <summary>Not asked yet, or the modem's answer did not say.</summary>
    Unknown,

    /// <summary><c>READY</c>: no PIN pending.</summary>
    Ready,

    /// <summary><c>SIM PIN</c>: the SIM waits for its PIN (the DCU never enters one).</summary>
    PinRequired,

    /// <summary><c>SIM PUK</c>: the PIN was wrong too often.</summary>
    PukRequired,

    /// <summary><c>SIM PIN2</c> / <c>SIM PUK2</c>.</summary>
    Pin2Required,

    /// <summary><c>PH-SIM PIN</c>, <c>PH-NET PIN</c>, ...: the modem is locked to another SIM or network.</summary>
    PhoneLocked,

    /// <summary>Vendor <c>NOT READY</c>: the SIM is starting up.</summary>
    NotReady,

    /// <summary>+CME ERROR 10 (or vendor <c>+CPIN: NOT INSERTED</c>).</summary>
    NotInserted,

    /// <summary>+CME ERROR 13 SIM failure or 15 SIM wrong.</summary>
    Failure,

    /// <summary>+CME ERROR 14 SIM busy.</summary>
    Busy,
}
