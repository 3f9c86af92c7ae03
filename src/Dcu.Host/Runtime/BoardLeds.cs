using Dcu.Drivers.Board;
using Dcu.Host.Configuration;
using Microsoft.Extensions.Logging;

namespace Dcu.Host.Runtime;

/// <summary>Opens the status LEDs configured in section "Board", when any are.</summary>
public static class BoardLeds
{
    /// <summary>
    /// The LEDs on their GPIO lines; null when none is configured, or when the GPIO cannot be opened (a dev box
    /// without /dev/gpiochip*, no libgpiod, a line taken): optional hardware, so that is one warning and the DCU runs on without LEDs.
    /// </summary>
    public static GpioStatusLeds? TryOpen(BoardOptions board, ILogger logger, string devDirectory = "/dev")
    {
        ArgumentNullException.ThrowIfNull(board);
        var pins = board.LedPins();
        if (!pins.Any) return null;
        try
        {
            return GpioStatusLeds.Open(board.GpioChip, pins, board.Leds.ActiveLow, devDirectory);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            logger.LogWarning("Board:Leds: no status LEDs ({Error}); the DCU runs without them", ex.Message);
            return null;
        }
    }
}
