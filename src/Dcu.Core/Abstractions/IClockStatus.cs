namespace Dcu.Core.Abstractions;

/// <summary>
/// Whether the DCU's own clock can be trusted. After a cold boot without RTC or network time
/// the clock starts near 1970; readings taken then are flagged, not stamped as valid.
/// </summary>
public interface IClockStatus
{
    bool IsValid { get; }
}
