using Dcu.Core.Model;

namespace Dcu.Drivers.Profiles;

/// <summary>
/// A meter model's register map, loaded from <c>hardware/meter-profiles/*.json</c>. <see cref="Name"/>
/// is what <see cref="Meter.Profile"/> refers to (e.g. "eastron-sdm630").
/// </summary>
public sealed class MeterProfile
{
    private readonly Dictionary<ObisCode, RegisterMapEntry> _byObis;

    public MeterProfile(string name, string manufacturer, string model, IReadOnlyList<RegisterMapEntry> registers, RelayMap? relay = null)
    {
        Relay = relay;
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(registers);
        Name = name;
        Manufacturer = manufacturer ?? string.Empty;
        Model = model ?? string.Empty;
        Registers = registers.ToArray();
        _byObis = new Dictionary<ObisCode, RegisterMapEntry>(Registers.Count);
        foreach (var entry in Registers)
        {
            if (!_byObis.TryAdd(entry.Obis, entry))
                throw new ArgumentException($"Profile '{name}' maps {entry.Obis} twice", nameof(registers));
        }
    }

    public string Name { get; }

    public string Manufacturer { get; }

    public string Model { get; }

    /// <summary>The register map, in file order; one entry per OBIS code.</summary>
    public IReadOnlyList<RegisterMapEntry> Registers { get; }

    public IReadOnlyCollection<ObisCode> Quantities => _byObis.Keys;

    /// <summary>The relay registers, or null when the model has no relay the DCU can switch.</summary>
    public RelayMap? Relay { get; }

    public bool TryGetEntry(ObisCode obis, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out RegisterMapEntry? entry) =>
        _byObis.TryGetValue(obis, out entry);

    public override string ToString() => $"{Name} ({Manufacturer} {Model}, {Registers.Count} registers)";
}
