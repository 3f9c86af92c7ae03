using Dcu.Core.Abstractions;

namespace Dcu.Host.Runtime;

/// <summary>
/// The status LEDs' decision, pure: Run blinks while the DCU is healthy and is steady while it has a
/// problem (a steady light reads as "stuck" to a technician, a blink as "alive"); Uplink is on while
/// the uplink is connected; Fault is on while the outbox cannot write or a bus has all its meters offline.
/// </summary>
public readonly record struct LedStates(LedMode Run, LedMode Uplink, LedMode Fault)
{
    /// <summary>All dark: the DCU is not running.</summary>
    public static LedStates Stopped => new(LedMode.Off, LedMode.Off, LedMode.Off);

    public static LedStates From(StatusSnapshot s)
    {
        ArgumentNullException.ThrowIfNull(s);
        return new(
            s.Problem is null ? LedMode.Blink : LedMode.On,
            s.UplinkConnected ? LedMode.On : LedMode.Off,
            s.Fault() is null ? LedMode.Off : LedMode.On);
    }

    public LedMode this[StatusLed led] => led switch
    {
        StatusLed.Run => Run,
        StatusLed.Uplink => Uplink,
        StatusLed.Fault => Fault,
        _ => throw new ArgumentOutOfRangeException(nameof(led), led, null),
    };

    /// <summary>Whether <paramref name="led"/> is lit in the blink half-period <paramref name="blinkOn"/> (true: the lit half).</summary>
    public bool IsLit(StatusLed led, bool blinkOn) => this[led] switch
    {
        LedMode.On => true,
        LedMode.Blink => blinkOn,
        _ => false,
    };
}
