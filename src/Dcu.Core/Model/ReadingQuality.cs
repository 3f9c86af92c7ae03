namespace Dcu.Core.Model;

/// <summary>Why a reading may not be taken at face value. <see cref="Good"/> is the only clean state.</summary>
[Flags]
public enum ReadingQuality
{
    Good = 0,
    /// <summary>The DCU clock was not known to be valid when the reading was taken (e.g. 1970 after a cold boot).</summary>
    ClockInvalid = 1,
    /// <summary>Read after its interval had ended (late re-read, backlog).</summary>
    Late = 2,
    /// <summary>The meter reported the value as questionable (status word, overflow).</summary>
    Questionable = 4,
}
