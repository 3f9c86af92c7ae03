using Dcu.Core.Model;

namespace Dcu.Core.Archive;

/// <summary>
/// What only the Host knows about a meter entry: whether its bus exists, the protocol of that bus,
/// the address format of that protocol (Modbus unit 1..247, DL/T 645 and PLC 12 BCD digits), whether
/// its profile exists, the turnaround's range. The same rules check the configuration file, the
/// persisted archive and the meters.* commands.
/// </summary>
public interface IMeterEntryValidator
{
    /// <summary>
    /// Adds every problem of <paramref name="entry"/> to <paramref name="problems"/>, each naming its field
    /// through <paramref name="field"/>; returns the protocol of the entry's bus, or null when the bus is unknown.
    /// Identity and uniqueness are checked by the caller.
    /// </summary>
    MeterProtocol? Validate(MeterEntry entry, FieldNamer field, ICollection<string> problems);
}
