using System.Buffers.Binary;
using System.Globalization;
using Dcu.Core.Abstractions;
using Dcu.Core.Model;
using Dcu.Drivers.Profiles;

namespace Dcu.Drivers.Modbus;

/// <summary>
/// Reads a Modbus meter (RTU or TCP, whatever <see cref="IModbusMaster"/> speaks) by its profile:
/// plans the fewest requests with <see cref="ReadPlan"/>, decodes with <see cref="RegisterDecoder"/>.
/// </summary>
/// <remarks>
/// <para><see cref="Meter.Address"/> is the unit id, "1".."247". A profile or address that cannot work
/// is a configuration error and throws <see cref="ArgumentException"/>, not a protocol error.</para>
/// <para>When a merged request that reads over a gap gets exception 02 (illegal data address; the
/// master reports it as <see cref="MeterProtocolException"/> with reason "exception_02"), the meter
/// refuses holes in its map: the request is retried as one request per quantity. Timeouts and
/// other errors propagate as they are (the bus worker counts and retries).</para>
/// <para>A float register holding NaN or infinity (Eastron meters do this for quantities they do not
/// measure) is left out of the result rather than reported as a value.</para>
/// <para>Control (<see cref="IMeterControl"/>): a relay where the profile describes one
/// (<see cref="MeterProfile.Relay"/>: a register written to switch, a register read back); no Modbus
/// profile has a clock here and Modbus has no broadcast time, so those report unsupported / false.</para>
/// </remarks>
public sealed class ModbusMeterReader : IMeterReader, IMeterControl
{
    /// <summary>The reason token a master puts on an exception-02 reply.</summary>
    public const string IllegalDataAddressReason = "exception_02";

    private readonly IModbusMaster _master;
    private readonly IReadOnlyDictionary<string, MeterProfile> _profiles;
    private readonly ReadPlanOptions _planOptions;

    public ModbusMeterReader(IModbusMaster master, IReadOnlyDictionary<string, MeterProfile> profiles)
        : this(master, profiles, ReadPlanOptions.Default)
    {
    }

    public ModbusMeterReader(IModbusMaster master, IReadOnlyDictionary<string, MeterProfile> profiles, ReadPlanOptions planOptions)
    {
        ArgumentNullException.ThrowIfNull(master);
        ArgumentNullException.ThrowIfNull(profiles);
        ArgumentNullException.ThrowIfNull(planOptions);
        planOptions.Validate();
        _master = master;
        _profiles = profiles;
        _planOptions = planOptions;
    }

    public IReadOnlyCollection<ObisCode> SupportedQuantities(Meter meter) => ProfileOf(meter).Quantities;

    public async Task<IReadOnlyList<MeterValue>> ReadAsync(Meter meter, IReadOnlyCollection<ObisCode> quantities, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(quantities);
        var profile = ProfileOf(meter);
        var unit = UnitIdOf(meter);

        var wanted = new List<RegisterMapEntry>(quantities.Count);
        foreach (var obis in quantities.Distinct())
        {
            if (profile.TryGetEntry(obis, out var entry)) wanted.Add(entry);
        }
        if (wanted.Count == 0) return [];

        var values = new Dictionary<ObisCode, MeterValue>(wanted.Count);
        foreach (var request in ReadPlan.Create(wanted, _planOptions).Requests)
        {
            try
            {
                await ReadRequestAsync(unit, request, values, cancellationToken);
            }
            catch (MeterProtocolException ex) when (ex.Reason == IllegalDataAddressReason && request.HasGaps)
            {
                foreach (var entry in request.Entries)
                {
                    var single = new ReadRequest(entry.Function, entry.Address, (ushort)entry.WordCount, [entry]);
                    await ReadRequestAsync(unit, single, values, cancellationToken);
                }
            }
        }

        // Answer in the order asked.
        var result = new List<MeterValue>(values.Count);
        foreach (var obis in quantities.Distinct())
        {
            if (values.TryGetValue(obis, out var value)) result.Add(value);
        }
        return result;
    }

    public bool SupportsRelay(Meter meter) => ProfileOf(meter).Relay is not null;

    public async Task<RelayState> ReadRelayAsync(Meter meter, CancellationToken cancellationToken)
    {
        var relay = RelayOf(meter);
        var unit = UnitIdOf(meter);
        var bytes = await _master.ReadRegistersAsync(unit, relay.StateFunction, relay.StateAddress, 1, cancellationToken).ConfigureAwait(false);
        if (bytes.Length != 2)
            throw new MeterProtocolException("wrong_length", $"unit {unit}: relay state {relay.StateFunction} 0x{relay.StateAddress:X4} returned {bytes.Length} bytes, expected 2");
        return relay.StateOf(BinaryPrimitives.ReadUInt16BigEndian(bytes));
    }

    public Task SetRelayAsync(Meter meter, RelayAction action, CancellationToken cancellationToken)
    {
        var relay = RelayOf(meter);
        var unit = UnitIdOf(meter);
        var value = action == RelayAction.Disconnect ? relay.DisconnectValue : relay.ConnectValue;
        return relay.WriteFunction == ModbusFunction.WriteMultipleRegisters
            ? _master.WriteMultipleRegistersAsync(unit, relay.WriteAddress, new[] { value }, cancellationToken)
            : _master.WriteSingleRegisterAsync(unit, relay.WriteAddress, value, cancellationToken);
    }

    public bool SupportsClock(Meter meter) => false;

    public Task<DateTimeOffset> ReadClockAsync(Meter meter, CancellationToken cancellationToken) =>
        throw new NotSupportedException($"Meter '{meter?.Id}': Modbus profiles describe no clock");

    public Task SetClockAsync(Meter meter, DateTimeOffset utc, CancellationToken cancellationToken) =>
        throw new NotSupportedException($"Meter '{meter?.Id}': Modbus profiles describe no clock");

    /// <summary>Modbus has no broadcast time: false, nothing sent.</summary>
    public Task<bool> BroadcastTimeAsync(DateTimeOffset utc, CancellationToken cancellationToken) => Task.FromResult(false);

    private RelayMap RelayOf(Meter meter) =>
        ProfileOf(meter).Relay ?? throw new NotSupportedException($"Meter '{meter.Id}': profile '{meter.Profile}' describes no relay");

    private async Task ReadRequestAsync(byte unit, ReadRequest request, Dictionary<ObisCode, MeterValue> values, CancellationToken cancellationToken)
    {
        var bytes = await _master.ReadRegistersAsync(unit, request.Function, request.Start, request.Count, cancellationToken);
        if (bytes.Length != request.Count * 2)
        {
            throw new MeterProtocolException("wrong_length",
                $"unit {unit}: {request.Function} 0x{request.Start:X4} x{request.Count} returned {bytes.Length} bytes, expected {request.Count * 2}");
        }
        foreach (var entry in request.Entries)
        {
            var value = RegisterDecoder.Decode(bytes.AsSpan(request.ByteOffsetOf(entry)), entry);
            if (double.IsFinite(value)) values[entry.Obis] = new MeterValue(entry.Obis, value, entry.Unit);
        }
    }

    private MeterProfile ProfileOf(Meter meter)
    {
        ArgumentNullException.ThrowIfNull(meter);
        if (_profiles.TryGetValue(meter.Profile, out var profile)) return profile;
        var known = _profiles.Count == 0 ? "none loaded" : string.Join(", ", _profiles.Keys.Order(StringComparer.Ordinal));
        throw new ArgumentException($"Meter '{meter.Id}' uses meter profile '{meter.Profile}', which is not loaded (known: {known})", nameof(meter));
    }

    private static byte UnitIdOf(Meter meter)
    {
        if (byte.TryParse(meter.Address, NumberStyles.None, CultureInfo.InvariantCulture, out var unit) && unit is >= 1 and <= 247) return unit;
        throw new ArgumentException($"Meter '{meter.Id}' has Modbus address '{meter.Address}'; expected a unit id 1..247", nameof(meter));
    }
}
