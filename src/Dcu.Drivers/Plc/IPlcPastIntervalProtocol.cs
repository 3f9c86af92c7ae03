using Dcu.Core.Abstractions;
using Dcu.Core.Model;

namespace Dcu.Drivers.Plc;

/// <summary>
/// Optional capability of an <see cref="IPlcMeterProtocol"/>: reading a meter's stored value for a
/// past interval (e.g. DL/T 645 daily frozen data), so that <see cref="PlcMeterReader"/> can catch up
/// missed intervals (<see cref="Dcu.Core.Collection.IMissedIntervalReader"/>). The protocol owns the
/// algorithm; the reader supplies <c>relay</c>, which forwards one request frame through the PLC
/// module and returns the meter's reply frame.
/// </summary>
public interface IPlcPastIntervalProtocol
{
    /// <summary>True when <paramref name="meter"/> keeps data for past intervals.</summary>
    bool CanReadPastIntervals(Meter meter);

    /// <summary>
    /// The values stored for the interval stamped <paramref name="intervalUnixMs"/>, read with
    /// <paramref name="relay"/>. Throws <see cref="Dcu.Core.Abstractions.MeterProtocolException"/>
    /// when the meter no longer holds it or a reply is unusable.
    /// </summary>
    Task<IReadOnlyList<MeterValue>> ReadIntervalAsync(Meter meter, IReadOnlyCollection<ObisCode> quantities, long intervalUnixMs,
        Func<byte[], CancellationToken, Task<byte[]>> relay, CancellationToken cancellationToken);
}
