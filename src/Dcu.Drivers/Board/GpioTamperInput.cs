using System.Device.Gpio;
using System.Globalization;
using Dcu.Core.Abstractions;

namespace Dcu.Drivers.Board;

/// <summary>
/// The enclosure's tamper switch on a GPIO line (System.Device.Gpio), read as an input; the board
/// provides the pull resistor. <c>activeLow</c> says which level means tampered.
/// </summary>
public sealed class GpioTamperInput : ITamperInput, IDisposable
{
    private readonly GpioController _controller;
    private readonly bool _ownsController;
    private readonly int _pin;
    private readonly bool _activeLow;

    /// <param name="ownsController">Whether <see cref="Dispose"/> disposes <paramref name="controller"/> too.</param>
    public GpioTamperInput(GpioController controller, int pin, bool activeLow, string? chipName = null, bool ownsController = true)
    {
        ArgumentNullException.ThrowIfNull(controller);
        ArgumentOutOfRangeException.ThrowIfNegative(pin);
        _controller = controller;
        _ownsController = ownsController;
        _pin = pin;
        _activeLow = activeLow;
        Name = string.Create(CultureInfo.InvariantCulture, $"{chipName ?? "gpio"} line {pin} (active {(activeLow ? "low" : "high")})");
        controller.OpenPin(pin, PinMode.Input);
    }

    public string Name { get; }

    public bool IsActive() => (_controller.Read(_pin) == PinValue.High) != _activeLow;

    /// <summary>
    /// Opens <paramref name="pin"/> on /dev/gpiochip<paramref name="chip"/> (or the platform's default
    /// controller when null). Throws <see cref="IOException"/> naming what is missing when the machine
    /// has no such GPIO chip; the library's own exception for other failures (no libgpiod, line busy).
    /// </summary>
    public static GpioTamperInput Open(int? chip, int pin, bool activeLow, string devDirectory = "/dev")
    {
        var (controller, chipName) = GpioControllers.Open(chip, devDirectory);
        try
        {
            return new GpioTamperInput(controller, pin, activeLow, chipName);
        }
        catch
        {
            controller.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        if (_controller.IsPinOpen(_pin)) _controller.ClosePin(_pin);
        if (_ownsController) _controller.Dispose();
    }
}
