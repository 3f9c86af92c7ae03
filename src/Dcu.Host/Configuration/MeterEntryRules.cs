using System.Globalization;
using Dcu.Core.Archive;
using Dcu.Core.Model;
using Dcu.Drivers.Dlt645;
using Dcu.Drivers.Profiles;

namespace Dcu.Host.Configuration;

/// <summary>
/// The rules of one meter entry that depend on its bus, shared by the configuration file's "Meters",
/// the persisted meters.json and the meters.* commands: the bus exists; on a DL/T 645 or PLC bus the
/// address is a 12-digit DL/T 645 address; otherwise a Modbus unit id 1..247 and a profile that exists;
/// the turnaround is 0..10 s. Uniqueness of ids and addresses is the caller's (it knows the archive).
/// </summary>
public static class MeterEntryRules
{
    /// <summary>Adds the entry's problems; returns its bus, or null when the bus is not configured.</summary>
    public static BusOptions? Check(MeterEntry m, FieldNamer field, IReadOnlyDictionary<string, BusOptions> buses,
        IReadOnlyDictionary<string, MeterProfile>? profiles, ICollection<string> problems)
    {
        if (!buses.TryGetValue(m.Bus ?? "", out var bus))
        {
            problems.Add($"{field("Bus")} '{m.Bus}' is not in Buses");
            return null;
        }
        if (!IsAddressValid(bus, m.Address))
            problems.Add(bus.IsDlt645 || bus.IsPlc
                ? $"{field("Address")} '{m.Address}' must be a 12-digit DL/T 645 meter address"
                : $"{field("Address")} '{m.Address}' must be a Modbus unit id 1..247");
        if (!bus.IsDlt645 && !bus.IsPlc && profiles is not null && !profiles.ContainsKey(m.Profile ?? ""))
            problems.Add($"{field("Profile")} '{m.Profile}' is not in the profiles directory (have: {string.Join(", ", profiles.Keys.Order(StringComparer.Ordinal))})");
        if (m.Turnaround < TimeSpan.Zero || m.Turnaround > TimeSpan.FromSeconds(10)) problems.Add($"{field("Turnaround")} must be 0..10 s (got {m.Turnaround})");
        return bus;
    }

    public static bool IsAddressValid(BusOptions bus, string? address) =>
        bus.IsDlt645 || bus.IsPlc
            ? Dlt645Address.TryParse(address, out _)
            : byte.TryParse(address, NumberStyles.None, CultureInfo.InvariantCulture, out var unit) && unit is >= 1 and <= 247;

    public static MeterProtocol Protocol(BusOptions bus) =>
        bus.IsPlc ? MeterProtocol.Plc : bus.IsDlt645 ? MeterProtocol.Dlt645 : bus.Type == BusType.ModbusTcp ? MeterProtocol.ModbusTcp : MeterProtocol.ModbusRtu;
}

/// <summary>The Host's <see cref="IMeterEntryValidator"/>: <see cref="MeterEntryRules"/> over the configured buses and the loaded profiles.</summary>
public sealed class HostMeterEntryValidator(IEnumerable<BusOptions> buses, IReadOnlyDictionary<string, MeterProfile>? profiles) : IMeterEntryValidator
{
    private readonly Dictionary<string, BusOptions> _buses = buses.GroupBy(b => b.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);

    public MeterProtocol? Validate(MeterEntry entry, FieldNamer field, ICollection<string> problems) =>
        MeterEntryRules.Check(entry, field, _buses, profiles, problems) is { } bus ? MeterEntryRules.Protocol(bus) : null;
}
