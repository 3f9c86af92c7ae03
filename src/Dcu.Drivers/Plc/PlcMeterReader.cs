using Dcu.Core.Abstractions;
using Dcu.Core.Model;

namespace Dcu.Drivers.Plc;

/// <summary>
/// Reads meters behind a PLC module (<see cref="Meter.Protocol"/> = <see cref="MeterProtocol.Plc"/>,
/// <see cref="Meter.Address"/> the 12-digit meter address): one relayed request per quantity,
/// built and decoded by the <see cref="IPlcMeterProtocol"/>.
/// </summary>
/// <remarks>
/// A meter that does not answer surfaces as <see cref="TimeoutException"/> (after the module's
/// retries); a reply that does not decode, or comes from another meter, as
/// <see cref="MeterProtocolException"/> with the protocol's reason, counted in <see cref="Counters"/>.
/// A "no_data" reply skips that quantity.
/// </remarks>
public sealed class PlcMeterReader : IMeterReader
{
    public const string NoDataReason = "no_data";

    private readonly PlcModule _module;
    private readonly IPlcMeterProtocol _protocol;

    public PlcMeterReader(PlcModule module, IPlcMeterProtocol protocol)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(protocol);
        _module = module;
        _protocol = protocol;
    }

    public PlcMeterReaderCounters Counters { get; } = new();

    public IReadOnlyCollection<ObisCode> SupportedQuantities(Meter meter) => _protocol.SupportedQuantities(Check(meter));

    public async Task<IReadOnlyList<MeterValue>> ReadAsync(Meter meter, IReadOnlyCollection<ObisCode> quantities, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(quantities);
        var supported = _protocol.SupportedQuantities(Check(meter));
        var values = new List<MeterValue>();
        foreach (var quantity in quantities.Distinct())
        {
            if (!supported.Contains(quantity)) continue;
            var request = _protocol.BuildRead(meter.Address, quantity);
            Counters.AddRequest();
            byte[] reply;
            try
            {
                reply = await _module.ForwardAsync(meter.Address, _protocol.ProtocolType, request, null, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                Counters.AddTimeout();
                throw;
            }
            catch (MeterProtocolException ex)
            {
                Counters.AddFailure(ex.Reason);
                throw;
            }

            if (_protocol.TryDecode(reply, meter.Address, quantity, out var value, out var reason))
            {
                Counters.AddValue();
                values.Add(value);
                continue;
            }
            Counters.AddFailure(reason);
            if (reason == NoDataReason) continue;
            throw new MeterProtocolException(reason,
                $"PLC meter {meter.Id} ({meter.Address}) {quantity}: reply refused ({reason}): {Convert.ToHexString(reply)}");
        }
        return values;
    }

    private static Meter Check(Meter meter)
    {
        ArgumentNullException.ThrowIfNull(meter);
        if (meter.Protocol != MeterProtocol.Plc)
            throw new ArgumentException($"Meter '{meter.Id}' uses {meter.Protocol}, not PLC", nameof(meter));
        if (!PlcAddress.TryParse(meter.Address, out _))
            throw new ArgumentException($"Meter '{meter.Id}' has PLC address '{meter.Address}'; expected 12 digits", nameof(meter));
        return meter;
    }
}
