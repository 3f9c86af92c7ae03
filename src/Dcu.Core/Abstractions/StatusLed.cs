namespace Dcu.Core.Abstractions;

/// <summary>The status LEDs on the DCU's front panel.</summary>
public enum StatusLed
{
    /// <summary>Blinks while the DCU is healthy, steady while it has a problem, off when it is not running.</summary>
    Run,

    /// <summary>On while the uplink to the DCP is connected.</summary>
    Uplink,

    /// <summary>On while the outbox cannot write or a bus has all its meters offline.</summary>
    Fault,
}
