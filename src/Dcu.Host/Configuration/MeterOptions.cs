namespace Dcu.Host.Configuration;

/// <summary>One entry of section "Meters": the meter archive.</summary>
public sealed class MeterOptions
{
    public string Id { get; set; } = "";

    /// <summary>Name of the bus in "Buses".</summary>
    public string Bus { get; set; } = "";

    /// <summary>Modbus unit id 1..247, or the 12-digit DL/T 645 address of a meter on a DL/T 645 or PLC bus.</summary>
    public string Address { get; set; } = "";

    /// <summary>Modbus meters: the register map, a profile name in the profiles directory. DL/T 645 meters need none (the standard fixes the data identifiers).</summary>
    public string Profile { get; set; } = "";

    /// <summary>Extra quiet time after this meter's reply before the bus is used again.</summary>
    public TimeSpan Turnaround { get; set; } = TimeSpan.Zero;
}
