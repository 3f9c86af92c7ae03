namespace Dcu.Core.Abstractions;

/// <summary>
/// The status LEDs as outputs (GPIO lines on a real board, Dcu.Drivers/Board). The StatusLeds loop
/// decides what each shows; the output only lights or darkens it.
/// </summary>
public interface IStatusLeds
{
    /// <summary>Where the LEDs are, for log lines (e.g. "gpiochip0 lines run 5, uplink 6").</summary>
    string Name { get; }

    /// <summary>Lights (<paramref name="on"/>) or darkens <paramref name="led"/>; an LED that is not fitted is ignored. May throw <see cref="IOException"/>.</summary>
    void Set(StatusLed led, bool on);
}
