using System.Device.Gpio;
using System.Device.Gpio.Drivers;
using System.Globalization;

namespace Dcu.Drivers.Board;

/// <summary>Opens a GPIO controller on /dev/gpiochipN, for the board's inputs and outputs (tamper switch, status LEDs).</summary>
public static class GpioControllers
{
    /// <summary>
    /// A controller on /dev/gpiochip<paramref name="chip"/> (or the platform's default controller when null),
    /// with its chip name ("gpiochip0", null for the default). Throws <see cref="IOException"/> naming what is
    /// missing when the machine has no such GPIO chip; the library's own exception for other failures (no libgpiod).
    /// </summary>
    public static (GpioController Controller, string? ChipName) Open(int? chip, string devDirectory = "/dev")
    {
        if (chip is { } c)
        {
            var path = Path.Combine(devDirectory, ChipName(c));
            if (!File.Exists(path)) throw new IOException($"{path} does not exist (no such GPIO chip on this machine)");
            return (new GpioController(CreateDriver(c)), ChipName(c));
        }
        if (!Directory.Exists(devDirectory) || Directory.GetFiles(devDirectory, "gpiochip*").Length == 0)
            throw new IOException($"no GPIO chip ({devDirectory}/gpiochip*) on this machine");
        return (new GpioController(), null);
    }

    private static string ChipName(int chip) => string.Create(CultureInfo.InvariantCulture, $"gpiochip{chip}");

    private static GpioDriver CreateDriver(int chip)
    {
        // libgpiod 1.x is what Raspberry Pi OS and Debian 12 ship; newer systems have 2.x only.
        try { return new LibGpiodDriver(chip); }
        catch (Exception ex) when (ex is DllNotFoundException or PlatformNotSupportedException or EntryPointNotFoundException)
        {
            return new LibGpiodV2Driver(chip);
        }
    }
}
