namespace Dcu.Host.Configuration;

/// <summary>One entry of section "Meters": the meter archive.</summary>
public sealed class MeterOptions
{
    public string Id { get; set; } = "";

    /// <summary>Name of the bus in "Buses".</summary>
    public string Bus { get; set; } = "";

    /// <summary>Modbus unit id 1..247.</summary>
    public string Address { get; set; } = "";

    /// <summary>Profile name: a file name (without .json) in the profiles directory.</summary>
    public string Profile { get; set; } = "";

    /// <summary>Extra quiet time after this meter's reply before the bus is used again.</summary>
    public TimeSpan Turnaround { get; set; } = TimeSpan.Zero;
}
