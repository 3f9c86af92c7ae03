using Dcu.Drivers.Board;

namespace Dcu.Host.Configuration;

/// <summary>
/// Section "Board": the board's own hardware driven by the DCU (status LEDs). The tamper switch stays
/// in section "DcuEvents" (TamperPin), where it was first configured.
/// </summary>
public sealed class BoardOptions
{
    public const string SectionName = "Board";

    /// <summary>Highest BCM GPIO number of a Raspberry Pi (GPIO0..GPIO53).</summary>
    public const int MaxPin = 53;

    /// <summary>GPIO chip of the LED lines (/dev/gpiochipN); null: the platform's default controller, as for DcuEvents:TamperGpioChip.</summary>
    public int? GpioChip { get; set; }

    public BoardLedsOptions Leds { get; set; } = new();

    public StatusLedPins LedPins() => new(Leds.Run, Leds.Uplink, Leds.Fault);

    /// <summary>Problems, each naming its key.</summary>
    public IReadOnlyList<string> Validate()
    {
        var p = new List<string>();
        if (GpioChip is < 0 or > 64) p.Add($"{SectionName}:{nameof(GpioChip)} must be 0..64 (got {GpioChip})");
        var taken = new Dictionary<int, string>();
        foreach (var (name, pin) in new[] { (nameof(Leds.Run), Leds.Run), (nameof(Leds.Uplink), Leds.Uplink), (nameof(Leds.Fault), Leds.Fault) })
        {
            if (pin is not { } n) continue;
            var key = $"{SectionName}:{nameof(Leds)}:{name}";
            if (n is < 0 or > MaxPin) p.Add($"{key} must be a BCM GPIO number 0..{MaxPin} (got {n})");
            else if (!taken.TryAdd(n, key)) p.Add($"{key} {n} is already {taken[n]}: each LED needs its own line");
        }
        return p;
    }
}
