using Dcu.Core.Model;

namespace Dcu.Core.Abstractions;

/// <summary>
/// Reads quantities from one meter over its bus. Implemented per protocol in Dcu.Drivers
/// (Modbus RTU/TCP, DL/T 645, PLC). Called only by the bus worker that owns the bus, so one
/// request is in flight per bus.
/// </summary>
/// <remarks>
/// Failures are typed: <see cref="TimeoutException"/> when the meter did not answer in time,
/// <see cref="MeterProtocolException"/> when it answered with an error or with bytes that make
/// no valid reply. Cancellation surfaces as <see cref="OperationCanceledException"/>.
/// </remarks>
public interface IMeterReader
{
    /// <summary>The quantities this meter's profile can deliver.</summary>
    IReadOnlyCollection<ObisCode> SupportedQuantities(Meter meter);

    /// <summary>Reads the requested quantities (those the profile lacks are skipped) in as few requests as the protocol allows.</summary>
    Task<IReadOnlyList<MeterValue>> ReadAsync(Meter meter, IReadOnlyCollection<ObisCode> quantities, CancellationToken cancellationToken);
}

/// <summary>A decoded value, in engineering units, before it is stamped into a <see cref="Reading"/>.</summary>
public readonly record struct MeterValue(ObisCode Obis, double Value, string Unit);
