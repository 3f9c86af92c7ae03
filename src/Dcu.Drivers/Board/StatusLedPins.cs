using Dcu.Core.Abstractions;

namespace Dcu.Drivers.Board;

/// <summary>GPIO line of each status LED; null: that LED is not fitted (not driven).</summary>
public readonly record struct StatusLedPins(int? Run, int? Uplink, int? Fault)
{
    /// <summary>The fitted LEDs with their lines.</summary>
    public IEnumerable<(StatusLed Led, int Pin)> Fitted()
    {
        if (Run is { } run) yield return (StatusLed.Run, run);
        if (Uplink is { } uplink) yield return (StatusLed.Uplink, uplink);
        if (Fault is { } fault) yield return (StatusLed.Fault, fault);
    }

    public bool Any => Run is not null || Uplink is not null || Fault is not null;
}
