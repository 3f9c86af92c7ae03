using System.Device.Gpio;
using System.Globalization;
using Dcu.Core.Abstractions;

namespace Dcu.Drivers.Board;

/// <summary>
/// The status LEDs on GPIO lines (System.Device.Gpio), driven as outputs: high lights an LED, or low
/// when <c>activeLow</c> (an LED wired from 3V3 to the pin). Every LED starts dark and is darkened
/// again on <see cref="Dispose"/>, so a stopped DCU shows nothing lit.
/// </summary>
public sealed class GpioStatusLeds : IStatusLeds, IDisposable
{
    private readonly GpioController _controller;
    private readonly bool _ownsController;
    private readonly bool _activeLow;
    private readonly Dictionary<StatusLed, int> _pins = [];
    private bool _disposed;

    /// <param name="ownsController">Whether <see cref="Dispose"/> disposes <paramref name="controller"/> too.</param>
    public GpioStatusLeds(GpioController controller, StatusLedPins pins, bool activeLow, string? chipName = null, bool ownsController = true)
    {
        ArgumentNullException.ThrowIfNull(controller);
        _controller = controller;
        _ownsController = ownsController;
        _activeLow = activeLow;
        foreach (var (led, pin) in pins.Fitted())
        {
            ArgumentOutOfRangeException.ThrowIfNegative(pin);
            if (_pins.ContainsValue(pin)) throw new ArgumentException($"line {pin} is given to two LEDs", nameof(pins));
            _pins[led] = pin;
        }
        Name = string.Create(CultureInfo.InvariantCulture,
            $"{chipName ?? "gpio"} lines {string.Join(", ", _pins.Select(p => $"{p.Key.ToString().ToLowerInvariant()} {p.Value}"))} (active {(activeLow ? "low" : "high")})");
        try
        {
            // Dark from the first moment: OpenPin with the initial level does not glitch the line lit.
            foreach (var pin in _pins.Values) controller.OpenPin(pin, PinMode.Output, Level(false));
        }
        catch
        {
            ClosePins();
            throw;
        }
    }

    public string Name { get; }

    public void Set(StatusLed led, bool on)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_pins.TryGetValue(led, out var pin)) _controller.Write(pin, Level(on));
    }

    /// <summary>
    /// Opens the fitted LEDs' lines on /dev/gpiochip<paramref name="chip"/> (or the platform's default
    /// controller when null). Throws <see cref="IOException"/> naming what is missing when the machine has
    /// no such GPIO chip; the library's own exception for other failures (no libgpiod, line busy).
    /// </summary>
    public static GpioStatusLeds Open(int? chip, StatusLedPins pins, bool activeLow, string devDirectory = "/dev")
    {
        var (controller, chipName) = GpioControllers.Open(chip, devDirectory);
        try
        {
            return new GpioStatusLeds(controller, pins, activeLow, chipName);
        }
        catch
        {
            controller.Dispose();
            throw;
        }
    }

    private PinValue Level(bool on) => on != _activeLow ? PinValue.High : PinValue.Low;

    private void ClosePins()
    {
        foreach (var pin in _pins.Values)
        {
            if (!_controller.IsPinOpen(pin)) continue;
            try { _controller.Write(pin, Level(false)); }
            catch (Exception ex) when (ex is IOException or InvalidOperationException) { } // still closed below: nothing more can be done for a line that fails
            _controller.ClosePin(pin);
        }
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        ClosePins();
        if (_ownsController) _controller.Dispose();
    }
}
