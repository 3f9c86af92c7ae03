namespace Dcu.Core.Collection;

/// <summary>
/// Wall-clock alignment of collection intervals, in UTC (so DST never applies). Boundaries are
/// multiples of the interval counted from the Unix epoch, which is a UTC midnight; because a valid
/// interval divides 24 h evenly, a 15-minute task is due at :00, :15, :30 and :45 of every hour and a
/// 1-day task at 00:00 UTC. An offset shifts when the read is due, never the interval timestamp:
/// with 15 min + 2 min the read of interval 10:15 is due at 10:17 and stamped 10:15.
/// </summary>
public static class IntervalClock
{
    public static readonly TimeSpan Day = TimeSpan.FromDays(1);

    /// <summary>True when <paramref name="interval"/> is a whole number of milliseconds, positive, at most a day and divides 24 h evenly.</summary>
    public static bool IsValidInterval(TimeSpan interval) =>
        interval > TimeSpan.Zero
        && interval <= Day
        && interval.Ticks % TimeSpan.TicksPerMillisecond == 0
        && Day.Ticks % interval.Ticks == 0;

    /// <summary>True when <paramref name="offset"/> is a whole number of milliseconds in [0, interval).</summary>
    public static bool IsValidOffset(TimeSpan offset, TimeSpan interval) =>
        offset >= TimeSpan.Zero && offset < interval && offset.Ticks % TimeSpan.TicksPerMillisecond == 0;

    /// <summary>Start of the interval that contains <paramref name="unixMs"/> (an exact boundary is its own start).</summary>
    public static long IntervalStart(long unixMs, TimeSpan interval)
    {
        var i = IntervalMs(interval);
        return FloorDiv(unixMs, i) * i;
    }

    /// <summary>The first due time (boundary + offset) strictly after <paramref name="unixMs"/>.</summary>
    public static long NextDue(long unixMs, TimeSpan interval, TimeSpan offset = default)
    {
        var i = IntervalMs(interval);
        var o = OffsetMs(offset, interval);
        return (FloorDiv(unixMs - o, i) + 1) * i + o;
    }

    /// <summary>The next aligned boundary strictly after <paramref name="time"/> (no offset).</summary>
    public static DateTimeOffset NextBoundary(DateTimeOffset time, TimeSpan interval) =>
        DateTimeOffset.FromUnixTimeMilliseconds(NextDue(time.ToUnixTimeMilliseconds(), interval));

    /// <inheritdoc cref="IntervalStart(long, TimeSpan)"/>
    public static DateTimeOffset IntervalStart(DateTimeOffset time, TimeSpan interval) =>
        DateTimeOffset.FromUnixTimeMilliseconds(IntervalStart(time.ToUnixTimeMilliseconds(), interval));

    private static long IntervalMs(TimeSpan interval) =>
        IsValidInterval(interval)
            ? (long)interval.TotalMilliseconds
            : throw new ArgumentOutOfRangeException(nameof(interval), interval, "Interval must be a positive whole number of milliseconds that divides 24 h");

    private static long OffsetMs(TimeSpan offset, TimeSpan interval) =>
        IsValidOffset(offset, interval)
            ? (long)offset.TotalMilliseconds
            : throw new ArgumentOutOfRangeException(nameof(offset), offset, "Offset must be in [0, interval)");

    private static long FloorDiv(long a, long b)
    {
        var q = a / b;
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
    }
}
