using Dcu.Core.Abstractions;
using Dcu.Core.Collection;
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
/// <para>Catch-up (<see cref="IMissedIntervalReader"/>): available when the protocol implements
/// <see cref="IPlcPastIntervalProtocol"/> (DL/T 645: daily frozen data); every relayed request is
/// counted like a live read.</para>
/// <para>Control (<see cref="IMeterControl"/>): relay and clock when the protocol implements
/// <see cref="IPlcMeterControlProtocol"/> (DL/T 645: the same 1CH/14H frames as on RS485, relayed);
/// broadcast time through the module's AFN 05 F3, false when the module refuses it.</para>
/// </remarks>
public sealed class PlcMeterReader : IMeterReader, IMissedIntervalReader, IMeterControl
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

    /// <summary>True when the protocol can read past intervals (<see cref="IPlcPastIntervalProtocol"/>) of this meter.</summary>
    public bool CanReadPastIntervals(Meter meter) =>
        _protocol is IPlcPastIntervalProtocol past && past.CanReadPastIntervals(Check(meter));

    /// <summary>
    /// The values the meter stored for the interval, read by the protocol through relayed requests.
    /// Throws <see cref="NotSupportedException"/> when the protocol cannot read past intervals.
    /// </summary>
    public async Task<IReadOnlyList<MeterValue>> ReadIntervalAsync(Meter meter, IReadOnlyCollection<ObisCode> quantities, long intervalUnixMs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(quantities);
        Check(meter);
        if (_protocol is not IPlcPastIntervalProtocol past)
            throw new NotSupportedException($"PLC protocol {_protocol.ProtocolType} cannot read past intervals (meter {meter.Id})");

        var relayFailed = false;
        try
        {
            var values = await past.ReadIntervalAsync(meter, quantities, intervalUnixMs, async (request, ct) =>
            {
                Counters.AddRequest();
                try
                {
                    return await _module.ForwardAsync(meter.Address, _protocol.ProtocolType, request, null, ct).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    relayFailed = true;
                    Counters.AddTimeout();
                    throw;
                }
                catch (MeterProtocolException ex)
                {
                    relayFailed = true;
                    Counters.AddFailure(ex.Reason);
                    throw;
                }
            }, cancellationToken).ConfigureAwait(false);
            foreach (var _ in values) Counters.AddValue();
            return values;
        }
        catch (MeterProtocolException ex) when (!relayFailed)
        {
            Counters.AddFailure(ex.Reason); // a refused reply, or no stored value for the interval
            throw;
        }
    }

    public bool SupportsRelay(Meter meter) => _protocol is IPlcMeterControlProtocol control && control.SupportsRelay(Check(meter));

    public bool SupportsClock(Meter meter) => _protocol is IPlcMeterControlProtocol control && control.SupportsClock(Check(meter));

    public Task<RelayState> ReadRelayAsync(Meter meter, CancellationToken cancellationToken) =>
        ControlOf(meter).ReadRelayAsync(meter, Relay(meter), cancellationToken);

    public Task SetRelayAsync(Meter meter, RelayAction action, CancellationToken cancellationToken) =>
        ControlOf(meter).SetRelayAsync(meter, action, Relay(meter), cancellationToken);

    public Task<DateTimeOffset> ReadClockAsync(Meter meter, CancellationToken cancellationToken) =>
        ControlOf(meter).ReadClockAsync(meter, Relay(meter), cancellationToken);

    public Task SetClockAsync(Meter meter, DateTimeOffset utc, CancellationToken cancellationToken) =>
        ControlOf(meter).SetClockAsync(meter, utc, Relay(meter), cancellationToken);

    /// <summary>The protocol's broadcast time frame through AFN 05 F3; false (nothing sent) when the protocol has none or the module refuses broadcasts.</summary>
    public async Task<bool> BroadcastTimeAsync(DateTimeOffset utc, CancellationToken cancellationToken)
    {
        if (_protocol is not IPlcMeterControlProtocol control || control.BuildBroadcastTime(utc) is not { } frame) return false;
        return await _module.BroadcastAsync(_protocol.ProtocolType, frame, cancellationToken).ConfigureAwait(false);
    }

    private IPlcMeterControlProtocol ControlOf(Meter meter)
    {
        Check(meter);
        return _protocol as IPlcMeterControlProtocol
            ?? throw new NotSupportedException($"PLC protocol {_protocol.ProtocolType} has no relay or clock control (meter {meter.Id})");
    }

    /// <summary>One relayed request, counted like a read.</summary>
    private Func<byte[], CancellationToken, Task<byte[]>> Relay(Meter meter) => async (request, ct) =>
    {
        Counters.AddRequest();
        try
        {
            return await _module.ForwardAsync(meter.Address, _protocol.ProtocolType, request, null, ct).ConfigureAwait(false);
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
    };

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
