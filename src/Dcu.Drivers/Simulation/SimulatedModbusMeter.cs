using System.Buffers.Binary;
using Dcu.Core.Model;
using Dcu.Drivers.Modbus;
using Dcu.Drivers.Profiles;

namespace Dcu.Drivers.Simulation;

/// <summary>
/// A meter's register bank built from its <see cref="MeterProfile"/>, with values that move like a
/// real site: voltage near nominal with a slow wobble and noise, power following a daily load curve
/// (morning and evening peaks, optional PV at midday) plus noise, current = P / (V x PF), frequency
/// near nominal, and energy counters that only rise, integrated from the power curve over the time
/// of the <see cref="TimeProvider"/>. Deterministic for a given seed and sequence of calls.
/// </summary>
/// <remarks>
/// Reads cover profile registers of the function asked; other registers in a read read as 0 as long
/// as the read touches at least one mapped register (like most meters), or give exception 02 when
/// <see cref="StrictAddressing"/> is set. FC 03 also sees the holding registers defined with
/// <see cref="DefineHoldingRegisters"/>; only those are writable (measurements are read-only).
/// A profile with a relay (<see cref="MeterProfile.Relay"/>) gets it: writing the disconnect / connect
/// value to its write register opens / closes it (any other value: exception 03), the state register
/// reads it back, and while it is open power and current read 0 and the energy counters stand still.
/// </remarks>
public sealed class SimulatedModbusMeter
{
    internal const byte IllegalFunction = 1;
    internal const byte IllegalDataAddress = 2;
    internal const byte IllegalDataValue = 3;

    // Integrate energy in steps no longer than this, so long jumps of the clock follow the curve.
    private static readonly TimeSpan IntegrationStep = TimeSpan.FromMinutes(1);
    private static readonly double[] ThreePhaseShares = [0.40, 0.35, 0.25];

    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly Dictionary<(ModbusFunction Function, int Address), (RegisterMapEntry Entry, int Word)> _map = [];
    private readonly SortedDictionary<ushort, ushort> _holding = [];
    private readonly Dictionary<ObisCode, double> _pinned = [];
    private readonly Dictionary<ObisCode, double> _now = [];
    private readonly int _phases;
    private DateTimeOffset _last;
    private bool _relayOpen;
    private double _importKwh, _exportKwh, _importKvarh, _exportKvarh;

    public SimulatedModbusMeter(byte unitId, MeterProfile profile, TimeProvider timeProvider, int seed, SimulatedSiteOptions? site = null)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(timeProvider);
        if (unitId is < 1 or > 247) throw new ArgumentOutOfRangeException(nameof(unitId), unitId, "unit id must be 1..247");
        UnitId = unitId;
        Profile = profile;
        Site = site ?? SimulatedSiteOptions.Default;
        _time = timeProvider;
        _random = new Random(seed);
        foreach (var entry in profile.Registers)
            for (var w = 0; w < entry.WordCount; w++) _map[(entry.Function, entry.Address + w)] = (entry, w);
        _phases = profile.TryGetEntry(ObisCode.VoltageL2, out _) || profile.TryGetEntry(ObisCode.CurrentL2, out _) ? 3 : 1;
        _importKwh = Site.InitialImportKwh;
        _exportKwh = Site.InitialExportKwh;
        _importKvarh = Site.InitialImportKwh * 0.3;
        _exportKvarh = Site.InitialExportKwh * 0.05;
        _last = _time.GetUtcNow();
        Sample();
    }

    public byte UnitId { get; }

    public MeterProfile Profile { get; }

    public SimulatedSiteOptions Site { get; }

    /// <summary>Exception 02 for any register in a read that the profile does not map.</summary>
    public bool StrictAddressing { get; init; }

    /// <summary>Functions the meter implements; others get exception 01. Default: 3, 4, 6, 16.</summary>
    public IReadOnlySet<ModbusFunction> SupportedFunctions { get; init; } = new HashSet<ModbusFunction>
    {
        ModbusFunction.ReadHoldingRegisters, ModbusFunction.ReadInputRegisters,
        ModbusFunction.WriteSingleRegister, ModbusFunction.WriteMultipleRegisters,
    };

    /// <summary>The profile's relay is open (supply off).</summary>
    public bool RelayOpen => _relayOpen;

    /// <summary>Requests this meter answered (including exception replies).</summary>
    public long RequestsServed { get; private set; }

    /// <summary>Pins a quantity to a fixed value in its profile unit (e.g. 230.2 V) until <see cref="Unpin"/>; a pinned counter stands still.</summary>
    public void Pin(ObisCode obis, double value) => _pinned[obis] = value;

    public void Unpin(ObisCode obis) => _pinned.Remove(obis);

    /// <summary>Defines writable holding registers (configuration: baud rate, unit id, ...).</summary>
    public void DefineHoldingRegisters(ushort start, params ushort[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        for (var i = 0; i < values.Length; i++) _holding[(ushort)(start + i)] = values[i];
    }

    public bool TryGetHoldingRegister(ushort address, out ushort value) => _holding.TryGetValue(address, out value);

    /// <summary>The value of <paramref name="obis"/> in its profile unit after bringing the meter up to now.</summary>
    public double Read(ObisCode obis)
    {
        Refresh();
        if (!Profile.TryGetEntry(obis, out var entry)) throw new KeyNotFoundException($"{Profile.Name} does not map {obis}");
        return ValueInUnit(entry);
    }

    /// <summary>
    /// Brings the counters up to the clock and, when the clock moved, samples new instantaneous
    /// values (like a meter's measurement cycle: reads at the same instant see the same values).
    /// </summary>
    public void Refresh()
    {
        var now = _time.GetUtcNow();
        if (now > _last)
        {
            for (var t = _last; t < now;)
            {
                var next = t + IntegrationStep < now ? t + IntegrationStep : now;
                var mid = t + (next - t) / 2;
                var hours = (next - t).TotalHours;
                var load = _relayOpen ? 0 : LoadWatts(mid);
                var net = load - (_relayOpen ? 0 : PvWatts(mid));
                if (net >= 0) _importKwh += net * hours / 1000;
                else _exportKwh += -net * hours / 1000;
                _importKvarh += load * 0.33 * hours / 1000; // load at PF ~0.95
                _exportKvarh += (_relayOpen ? 0 : PvWatts(mid)) * 0.05 * hours / 1000;
                t = next;
            }
            _last = now;
            Sample();
        }
    }

    /// <summary>FC 03/04: writes 2*count bytes to <paramref name="destination"/>; returns 0 or a Modbus exception code.</summary>
    internal byte ReadRegisters(ModbusFunction function, ushort start, ushort count, Span<byte> destination)
    {
        RequestsServed++;
        if (!SupportedFunctions.Contains(function)) return IllegalFunction;
        if (count is < 1 or > 125) return IllegalDataValue;
        if (start + count > 0x10000) return IllegalDataAddress;
        Refresh();

        var encoded = new Dictionary<RegisterMapEntry, byte[]>();
        var anyMapped = false;
        for (var i = 0; i < count; i++)
        {
            var address = start + i;
            ushort word;
            if (Profile.Relay is { } relay && function == relay.StateFunction && address == relay.StateAddress)
            {
                word = _relayOpen ? relay.DisconnectedValue ?? (ushort)(relay.ConnectedValue == 0 ? 1 : 0) : relay.ConnectedValue;
                anyMapped = true;
            }
            else if (_map.TryGetValue((function, address), out var slot))
            {
                if (!encoded.TryGetValue(slot.Entry, out var bytes))
                {
                    bytes = new byte[slot.Entry.WordCount * 2];
                    RegisterEncoder.Encode(ValueInUnit(slot.Entry), slot.Entry, bytes);
                    encoded[slot.Entry] = bytes;
                }
                word = BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(slot.Word * 2));
                anyMapped = true;
            }
            else if (function == ModbusFunction.ReadHoldingRegisters && _holding.TryGetValue((ushort)address, out var held))
            {
                word = held;
                anyMapped = true;
            }
            else if (StrictAddressing) return IllegalDataAddress;
            else word = 0;
            BinaryPrimitives.WriteUInt16BigEndian(destination[(i * 2)..], word);
        }
        return anyMapped ? (byte)0 : IllegalDataAddress;
    }

    /// <summary>FC 06/16 (and broadcast writes): returns 0 or a Modbus exception code.</summary>
    internal byte WriteRegisters(ModbusFunction function, ushort start, ReadOnlySpan<ushort> values)
    {
        RequestsServed++;
        if (!SupportedFunctions.Contains(function)) return IllegalFunction;
        if (start + values.Length > 0x10000) return IllegalDataAddress;
        if (Profile.Relay is { } relay && values.Length == 1 && start == relay.WriteAddress)
        {
            if (values[0] != relay.DisconnectValue && values[0] != relay.ConnectValue) return IllegalDataValue;
            Refresh(); // the energy so far flowed with the relay as it was
            _relayOpen = values[0] == relay.DisconnectValue;
            Sample();
            return 0;
        }

        for (var i = 0; i < values.Length; i++)
            if (!_holding.ContainsKey((ushort)(start + i))) return IllegalDataAddress;
        for (var i = 0; i < values.Length; i++) _holding[(ushort)(start + i)] = values[i];
        return 0;
    }

    private double ValueInUnit(RegisterMapEntry entry)
    {
        if (_pinned.TryGetValue(entry.Obis, out var pinned)) return pinned;
        return _now.TryGetValue(entry.Obis, out var value) ? FromBaseUnit(value, BaseUnitOf(entry.Obis), entry.Unit) : 0;
    }

    private void Sample()
    {
        var now = _last;
        var load = _relayOpen ? 0 : LoadWatts(now);
        var pv = _relayOpen ? 0 : PvWatts(now);
        var net = (load - pv) * (1 + Site.Noise * Gaussian());
        var pf = Math.Clamp(0.93 + 0.02 * Gaussian(), 0.5, 1.0);
        var hour = LocalHour(now);
        double total = 0;
        for (var p = 0; p < 3; p++)
        {
            var share = _phases == 1 ? (p == 0 ? 1.0 : 0.0) : ThreePhaseShares[p];
            // Voltage sags a little with load, wobbles over the day, and jitters.
            var volts = Site.NominalVoltage + 2.0 * Math.Sin(2 * Math.PI * hour / 24 + p) - 0.0008 * load * share + 0.4 * Gaussian();
            var watts = net * share;
            total += watts;
            _now[PhaseCode(32, p)] = volts;
            _now[PhaseCode(31, p)] = Math.Abs(watts) / (volts * pf);
            _now[PhaseCode(36, p)] = watts;
        }
        _now[ObisCode.ActivePowerTotal] = total;
        _now[new ObisCode(1, 0, 1, 7, 0)] = Math.Max(total, 0);
        _now[new ObisCode(1, 0, 2, 7, 0)] = Math.Max(-total, 0);
        _now[ObisCode.PowerFactor] = pf;
        _now[ObisCode.Frequency] = Site.NominalFrequency + 0.02 * Gaussian();
        _now[ObisCode.ActiveEnergyImport] = _importKwh;
        _now[ObisCode.ActiveEnergyExport] = _exportKwh;
        _now[ObisCode.ReactiveEnergyImport] = _importKvarh;
        _now[ObisCode.ReactiveEnergyExport] = _exportKvarh;
    }

    private static ObisCode PhaseCode(byte l1, int phase) => new(1, 0, (byte)(l1 + 20 * phase), 7, 0);

    /// <summary>Household load: night base, a morning bump and a larger evening peak (watts, no noise).</summary>
    internal double LoadWatts(DateTimeOffset at)
    {
        var h = LocalHour(at);
        var shape = 0.15 + 0.35 * Bump(h, 7.5, 1.2) + 0.2 * Bump(h, 13, 2.5) + 0.85 * Bump(h, 19.5, 2.0);
        return Site.PeakLoadWatts * Math.Min(shape, 1.0);
    }

    internal double PvWatts(DateTimeOffset at)
    {
        var h = LocalHour(at);
        return h is > 6 and < 18 ? Site.PvPeakWatts * Math.Sin(Math.PI * (h - 6) / 12) : 0;
    }

    private double LocalHour(DateTimeOffset at) => (at.UtcDateTime + Site.UtcOffset).TimeOfDay.TotalHours;

    // Gaussian bump, wrapping around midnight.
    private static double Bump(double hour, double centre, double width)
    {
        var d = Math.Abs(hour - centre);
        d = Math.Min(d, 24 - d);
        return Math.Exp(-(d * d) / (2 * width * width));
    }

    private double Gaussian()
    {
        // Box-Muller, clipped to ±3 sigma so a value never runs away.
        var u1 = 1.0 - _random.NextDouble();
        var u2 = _random.NextDouble();
        return Math.Clamp(Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2), -3, 3);
    }

    private static string BaseUnitOf(ObisCode obis) => (obis.C, obis.D) switch
    {
        (_, 8) when obis.C is 3 or 4 => "kvarh",
        (_, 8) => "kWh",
        (32 or 52 or 72, _) => "V",
        (31 or 51 or 71, _) => "A",
        (14, _) => "Hz",
        (13, _) => "",
        _ => "W",
    };

    private static double FromBaseUnit(double value, string baseUnit, string unit)
    {
        if (string.Equals(unit, baseUnit, StringComparison.Ordinal) || unit.Length == 0 || baseUnit.Length == 0) return value;
        if (string.Equals(unit, "k" + baseUnit, StringComparison.Ordinal)) return value / 1000;
        if (string.Equals("k" + unit, baseUnit, StringComparison.Ordinal)) return value * 1000;
        return value;
    }
}
