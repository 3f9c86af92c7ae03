using System.Globalization;
using Dcu.Core.Archive;

namespace Dcu.Core.Collection;

/// <summary>Options of the "Collection" configuration section.</summary>
public sealed class CollectionOptions
{
    public const string SectionName = "Collection";

    public List<CollectionTaskOptions> Tasks { get; set; } = [];

    /// <summary>Extra attempts within one job after a timeout or protocol error (not while the meter is offline).</summary>
    public int Retries { get; set; } = 1;

    /// <summary>Failed jobs in a row after which a meter is marked offline.</summary>
    public int OfflineThreshold { get; set; } = 3;

    /// <summary>While offline, only every K-th due scheduled job of the meter is attempted.</summary>
    public int OfflinePollDivisor { get; set; } = 4;

    /// <summary>
    /// Safety net over one reader call: the reader enforces the protocol timeouts itself; this only
    /// stops a hung reader from stalling its bus. Counted as a timeout ("watchdog"). It must exceed
    /// the longest legitimate read: through a PLC module one quantity can take (retries + 1) x 15 s,
    /// so the default leaves room for a few quantities at that worst case.
    /// </summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>Scheduled jobs a bus may have queued; beyond it the oldest is dropped and counted.</summary>
    public int ScheduledQueueCapacity { get; set; } = 10_000;

    /// <summary>Missed scheduled intervals remembered per meter for catch-up reads (oldest forgotten first); 96 = one day of 15-minute intervals.</summary>
    public int MissedIntervalsPerMeter { get; set; } = 96;

    /// <summary>Catch-up reads tried for one missed interval before it is given up.</summary>
    public int CatchUpAttempts { get; set; } = 3;

    /// <summary>Delay between handing one boundary's jobs to successive buses, so buses do not all start on the same millisecond.</summary>
    public TimeSpan BusStagger { get; set; } = TimeSpan.Zero;

    /// <summary>Longest single wait of the scheduler before it re-reads the wall clock (catches clock steps).</summary>
    public TimeSpan MaxSchedulerWait { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Every problem, each naming its configuration key; empty when the options are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        const string S = SectionName;
        if (Retries is < 0 or > 10) problems.Add($"{S}:Retries must be 0..10 (got {Retries})");
        if (OfflineThreshold < 1) problems.Add($"{S}:OfflineThreshold must be at least 1 (got {OfflineThreshold})");
        if (OfflinePollDivisor < 1) problems.Add($"{S}:OfflinePollDivisor must be at least 1 (got {OfflinePollDivisor})");
        if (RequestTimeout <= TimeSpan.Zero) problems.Add($"{S}:RequestTimeout must be positive (got {RequestTimeout})");
        if (ScheduledQueueCapacity < 1) problems.Add($"{S}:ScheduledQueueCapacity must be at least 1 (got {ScheduledQueueCapacity})");
        if (MissedIntervalsPerMeter is < 0 or > 10_000) problems.Add($"{S}:MissedIntervalsPerMeter must be 0..10000 (got {MissedIntervalsPerMeter})");
        if (CatchUpAttempts is < 1 or > 10) problems.Add($"{S}:CatchUpAttempts must be 1..10 (got {CatchUpAttempts})");
        if (BusStagger < TimeSpan.Zero || BusStagger > TimeSpan.FromSeconds(10)) problems.Add($"{S}:BusStagger must be 0..10 s (got {BusStagger})");
        if (MaxSchedulerWait <= TimeSpan.Zero) problems.Add($"{S}:MaxSchedulerWait must be positive (got {MaxSchedulerWait})");

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < Tasks.Count; i++)
        {
            var t = Tasks[i];
            var key = $"{S}:Tasks:{i}";
            if (t is null) { problems.Add($"{key} is empty"); continue; }
            t.Validate(FieldNames.Config(key), problems);
            if (!string.IsNullOrWhiteSpace(t.Name) && !names.Add(t.Name)) problems.Add($"{key}:Name '{t.Name}' is used by another task");
        }
        return problems;
    }

    /// <summary>The tasks as model objects; call <see cref="Validate"/> first (throws on invalid tasks).</summary>
    public IReadOnlyList<CollectionTask> BuildTasks()
    {
        var problems = Validate();
        if (problems.Count > 0)
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"Invalid collection options: {string.Join("; ", problems)}"));
        return Tasks.Select(t => t.ToTask()).ToArray();
    }
}
