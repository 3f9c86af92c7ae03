using Dcu.Core.Model;

namespace Dcu.Core.Events;

/// <summary>The collection quality of one UTC day, produced once the day has ended (plus a delay), sent upstream on <c>dcu/{id}/quality</c>.</summary>
/// <param name="Date">The UTC day.</param>
/// <param name="CountedFromUnixMs">Start of the day, or the DCU's start when it started during that day: only intervals due after it are expected.</param>
/// <param name="Expected">Scheduled (meter, task, interval) reads expected over the day, all meters.</param>
/// <param name="Collected">Of those, the ones with readings (on time, late or by catch-up).</param>
/// <param name="OnTime">Of those, the ones collected within their own interval.</param>
/// <param name="SiteRate">Collected / Expected (1 when nothing was expected).</param>
/// <param name="Target">The per-interval completeness target (0.995).</param>
/// <param name="Meters">Per meter, archive order.</param>
/// <param name="Completeness">Per task: how many of its intervals reached the target.</param>
public sealed record DailyQualityReport(
    DateOnly Date,
    long CountedFromUnixMs,
    long Expected,
    long Collected,
    long OnTime,
    double SiteRate,
    double Target,
    IReadOnlyList<MeterQuality> Meters,
    IReadOnlyList<TaskCompleteness> Completeness)
{
    public long DayStartUnixMs => new DateTimeOffset(Date, TimeOnly.MinValue, TimeSpan.Zero).ToUnixTimeMilliseconds();
}

/// <summary>One meter's day (or day so far).</summary>
public sealed record MeterQuality(MeterId Meter, int Expected, int Collected, int OnTime, IReadOnlyList<TaskQuality> Tasks)
{
    public int Missed => Expected - Collected;
}

/// <summary>One meter's day for one task; <paramref name="MissedUnixMs"/> are the expected intervals without readings.</summary>
public sealed record TaskQuality(string Task, TimeSpan Interval, int Expected, int Collected, int OnTime, IReadOnlyList<long> MissedUnixMs);

/// <summary>
/// For one interval of one task: of the <paramref name="Meters"/> the task covers, how many were
/// collected within that same interval (before the task's next read was due). The utility's figure
/// is that <see cref="Share"/> reaches 99.5 % for every interval.
/// </summary>
public sealed record IntervalCompleteness(string Task, long IntervalUnixMs, int Meters, int OnTime)
{
    public double Share => Meters == 0 ? 1 : (double)OnTime / Meters;
}

/// <summary>Per-interval completeness of one task over a day.</summary>
/// <param name="Intervals">Intervals counted (those expected).</param>
/// <param name="IntervalsAtTarget">Intervals whose <see cref="IntervalCompleteness.Share"/> reached the target.</param>
/// <param name="MinShare">The worst interval's share (1 when no interval was counted).</param>
public sealed record TaskCompleteness(string Task, TimeSpan Interval, int Intervals, int IntervalsAtTarget, double MinShare, IReadOnlyList<IntervalCompleteness> PerInterval);

/// <summary>Collection quality for status pages: today so far, counting only intervals whose own interval has ended.</summary>
/// <param name="SiteRate">Collected / Expected for today so far (1 when nothing is expected yet).</param>
/// <param name="LastReport">The last daily report produced, null before the first.</param>
public sealed record QualitySnapshot(
    DateOnly Date,
    long AsOfUnixMs,
    long Expected,
    long Collected,
    long OnTime,
    double SiteRate,
    IReadOnlyList<MeterQuality> Meters,
    IReadOnlyList<TaskCompleteness> Completeness,
    DailyQualityReport? LastReport);
