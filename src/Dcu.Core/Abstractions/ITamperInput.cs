namespace Dcu.Core.Abstractions;

/// <summary>
/// A tamper switch of the DCU's enclosure (a GPIO input on a real board, Dcu.Drivers/Board). The
/// watcher samples it and debounces; the input only says what it reads now.
/// </summary>
public interface ITamperInput
{
    /// <summary>Where it is read, for log lines and event details (e.g. "gpiochip0 line 17").</summary>
    string Name { get; }

    /// <summary>True while the tamper switch is in its active (tampered) state. May throw <see cref="IOException"/>.</summary>
    bool IsActive();
}
