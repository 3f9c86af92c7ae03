namespace Dcu.Core.Events;

/// <summary>Settings of <see cref="CollectionQuality"/>.</summary>
public sealed class CollectionQualityOptions
{
    /// <summary>
    /// How long after a UTC midnight the report of the day that ended is produced. It must cover the
    /// largest task offset plus the time a bus needs for one round, so that the day's last interval
    /// (stamped 23:45 for a 15-minute task, read just after midnight) is in. Less than a day.
    /// </summary>
    public TimeSpan ReportDelay { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>The share of meters that must be collected within their own interval, per interval (the utility's 99.5 %).</summary>
    public double CompletenessTarget { get; set; } = 0.995;

    /// <summary>Longest single wait of the report loop before it re-reads the clock (catches clock steps).</summary>
    public TimeSpan MaxWait { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>At most this many (meter, task) entries with misses are listed in the report sent upstream; the rest are counted.</summary>
    public int MaxMissEntries { get; set; } = 500;

    /// <summary>Every problem, each naming its key; empty when usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (ReportDelay < TimeSpan.Zero || ReportDelay >= TimeSpan.FromDays(1) || ReportDelay.Ticks % TimeSpan.TicksPerMillisecond != 0)
            problems.Add($"Quality:ReportDelay must be whole milliseconds in [0, 1 day) (got {ReportDelay})");
        if (CompletenessTarget is <= 0 or > 1) problems.Add($"Quality:CompletenessTarget must be in (0, 1] (got {CompletenessTarget})");
        if (MaxWait <= TimeSpan.Zero) problems.Add($"Quality:MaxWait must be positive (got {MaxWait})");
        if (MaxMissEntries < 0) problems.Add($"Quality:MaxMissEntries must be at least 0 (got {MaxMissEntries})");
        return problems;
    }
}
