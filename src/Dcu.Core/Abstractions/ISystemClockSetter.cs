namespace Dcu.Core.Abstractions;

/// <summary>
/// Steps the DCU's own (system) clock, for the "time.set" command. Implemented in the Host (Linux
/// clock_settime, which needs CAP_SYS_TIME). Afterwards <see cref="TimeProvider.System"/> reads the new time.
/// </summary>
public interface ISystemClockSetter
{
    /// <summary>
    /// Sets the system clock to <paramref name="utc"/>. Throws <see cref="UnauthorizedAccessException"/>
    /// when the process may not set the clock (no CAP_SYS_TIME), <see cref="PlatformNotSupportedException"/>
    /// where the DCU cannot set it, <see cref="InvalidOperationException"/> for any other refusal.
    /// </summary>
    void SetUtc(DateTimeOffset utc);
}
