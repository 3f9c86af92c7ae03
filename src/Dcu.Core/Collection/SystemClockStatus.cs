using Dcu.Core.Abstractions;

namespace Dcu.Core.Collection;

/// <summary>
/// Clock validity from a sanity floor: the clock is trusted when it reads at or after
/// <see cref="Floor"/> (default 2024-01-01T00:00Z, before any DCU of this software was built).
/// After a cold boot without RTC or network time Linux starts near 1970 (or the build date on
/// systemd with a time stamp file), which is below the floor, so readings are flagged
/// <c>ClockInvalid</c> until the RTC or NTP sets the time. It cannot detect a clock that is wrong
/// but plausible; a sync source (chrony, RTC check) can replace this implementation.
/// </summary>
public sealed class SystemClockStatus : IClockStatus
{
    public static readonly DateTimeOffset DefaultFloor = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly TimeProvider _time;

    public SystemClockStatus(TimeProvider timeProvider, DateTimeOffset? floor = null)
    {
        _time = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        Floor = floor ?? DefaultFloor;
    }

    public DateTimeOffset Floor { get; }

    public bool IsValid => _time.GetUtcNow() >= Floor;
}
