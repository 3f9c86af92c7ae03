namespace Dcu.Core.Archive;

/// <summary>
/// One meter of the archive as it is written down: in the configuration file ("Meters"), in the
/// persisted <c>meters.json</c> and in the meters.* commands. Its bus decides its protocol, so the
/// protocol is not part of it (see <see cref="IMeterEntryValidator"/>).
/// </summary>
public sealed record MeterEntry
{
    public string Id { get; init; } = "";

    /// <summary>Name of the bus (configuration "Buses") the meter is on.</summary>
    public string Bus { get; init; } = "";

    /// <summary>Modbus unit id 1..247, or the 12-digit DL/T 645 address on a DL/T 645 or PLC bus.</summary>
    public string Address { get; init; } = "";

    /// <summary>Register map of a Modbus meter; empty for DL/T 645 meters.</summary>
    public string Profile { get; init; } = "";

    /// <summary>Extra quiet time after this meter's reply before the bus is used again.</summary>
    public TimeSpan Turnaround { get; init; } = TimeSpan.Zero;
}
