namespace Dcu.Host.Configuration;

/// <summary>Section "Board:Leds": the status LEDs' GPIO lines (BCM numbers); an LED without a line is not fitted.</summary>
public sealed class BoardLedsOptions
{
    /// <summary>Blinks (1 Hz) while the DCU is healthy, steady on while it has a problem, off when it stops.</summary>
    public int? Run { get; set; }

    /// <summary>On while the MQTT uplink is connected.</summary>
    public int? Uplink { get; set; }

    /// <summary>On while the outbox cannot write or a bus has all its meters offline.</summary>
    public int? Fault { get; set; }

    /// <summary>True: an LED is lit by driving its line low (wired from 3V3 to the pin).</summary>
    public bool ActiveLow { get; set; }
}
