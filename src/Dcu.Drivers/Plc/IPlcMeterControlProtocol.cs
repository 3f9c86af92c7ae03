using Dcu.Core.Abstractions;
using Dcu.Core.Model;

namespace Dcu.Drivers.Plc;

/// <summary>
/// Optional capability of an <see cref="IPlcMeterProtocol"/>: relay and clock control of a meter
/// behind the PLC module (<see cref="PlcMeterReader"/> then implements <see cref="IMeterControl"/>).
/// The protocol owns the frames; the reader supplies <c>relay</c>, which forwards one request frame
/// through the module (AFN 13 F1) and returns the meter's reply frame.
/// </summary>
public interface IPlcMeterControlProtocol
{
    bool SupportsRelay(Meter meter);

    bool SupportsClock(Meter meter);

    Task<RelayState> ReadRelayAsync(Meter meter, Func<byte[], CancellationToken, Task<byte[]>> relay, CancellationToken cancellationToken);

    Task SetRelayAsync(Meter meter, RelayAction action, Func<byte[], CancellationToken, Task<byte[]>> relay, CancellationToken cancellationToken);

    Task<DateTimeOffset> ReadClockAsync(Meter meter, Func<byte[], CancellationToken, Task<byte[]>> relay, CancellationToken cancellationToken);

    Task SetClockAsync(Meter meter, DateTimeOffset utc, Func<byte[], CancellationToken, Task<byte[]>> relay, CancellationToken cancellationToken);

    /// <summary>The frame the module should broadcast to set every meter's clock to <paramref name="utc"/>, or null when the protocol has none.</summary>
    byte[]? BuildBroadcastTime(DateTimeOffset utc);
}
