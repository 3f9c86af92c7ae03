using Dcu.Core.Abstractions;
using Dcu.Core.Model;

namespace Dcu.Core.Collection;

/// <summary>
/// Optional capability of an <see cref="IMeterReader"/>: reading the value a meter stored for a past
/// interval (load profile, frozen/billing data: DL/T 645 frozen data, DLMS profile generic, PLC
/// modules' daily freeze). A bus worker whose reader implements it re-reads the intervals it
/// missed once the meter answers again; readings from such a catch-up are stamped with the missed
/// interval and flagged <see cref="ReadingQuality.Late"/>. Readers without it (plain Modbus
/// registers hold only the present value) leave missed intervals missed.
/// </summary>
/// <remarks>Called by the bus worker under the same rules as <see cref="IMeterReader.ReadAsync"/> (typed failures, one job per meter at a time).</remarks>
public interface IMissedIntervalReader
{
    /// <summary>True when this meter keeps data for past intervals that <see cref="ReadIntervalAsync"/> can fetch.</summary>
    bool CanReadPastIntervals(Meter meter);

    /// <summary>
    /// Reads the values the meter stored for the interval stamped <paramref name="intervalUnixMs"/>.
    /// Throws <see cref="MeterProtocolException"/> when the meter no longer holds it (counted like any protocol error).
    /// </summary>
    Task<IReadOnlyList<MeterValue>> ReadIntervalAsync(Meter meter, IReadOnlyCollection<ObisCode> quantities, long intervalUnixMs, CancellationToken cancellationToken);
}
