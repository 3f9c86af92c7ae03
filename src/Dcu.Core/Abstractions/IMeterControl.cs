using Dcu.Core.Model;

namespace Dcu.Core.Abstractions;

/// <summary>
/// Acting on meters beside reading them: the supply relay and the meter clock. Implemented per
/// protocol in Dcu.Drivers (by the same object as the bus's <see cref="IMeterReader"/>), and called
/// only through the bus worker that owns the bus, so a control request never overlaps a read on a
/// serial line. Failures are typed as for <see cref="IMeterReader"/>.
/// </summary>
public interface IMeterControl
{
    /// <summary>Whether this meter's protocol/profile has a relay the DCU can switch and read back.</summary>
    bool SupportsRelay(Meter meter);

    Task<RelayState> ReadRelayAsync(Meter meter, CancellationToken cancellationToken);

    /// <summary>Sends the relay command; the caller reads the state back with <see cref="ReadRelayAsync"/> to confirm it.</summary>
    Task SetRelayAsync(Meter meter, RelayAction action, CancellationToken cancellationToken);

    /// <summary>Whether the meter has a clock the DCU can read and set.</summary>
    bool SupportsClock(Meter meter);

    /// <summary>The meter's clock, as UTC.</summary>
    Task<DateTimeOffset> ReadClockAsync(Meter meter, CancellationToken cancellationToken);

    Task SetClockAsync(Meter meter, DateTimeOffset utc, CancellationToken cancellationToken);

    /// <summary>
    /// Broadcasts the time to every meter of the bus (DL/T 645 08H); no reply is expected. Returns false,
    /// having sent nothing, when the protocol has no broadcast time sync.
    /// </summary>
    Task<bool> BroadcastTimeAsync(DateTimeOffset utc, CancellationToken cancellationToken);
}

public enum RelayState
{
    Unknown,
    Connected,
    Disconnected,
}

public enum RelayAction
{
    Disconnect,
    Connect,
}
