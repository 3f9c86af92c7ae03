using Dcu.Core.Model;

namespace Dcu.Core.Collection;

/// <summary>
/// One read of one meter, queued to its bus worker. Scheduled jobs carry the interval timestamp
/// their readings are stamped with and the deadline (the next due time of the same task) after
/// which their readings are flagged <see cref="ReadingQuality.Late"/>. On-demand jobs carry a
/// completion that receives the readings or the error. Catch-up jobs re-read an interval the meter
/// missed (<see cref="IMissedIntervalReader"/>); their readings are always Late.
/// </summary>
public sealed record ReadJob
{
    private ReadJob(Meter meter, IReadOnlyCollection<ObisCode> quantities, string taskName, long intervalUnixMs, long deadlineUnixMs,
        TaskCompletionSource<IReadOnlyList<Reading>>? completion, CancellationToken cancellationToken)
    {
        Meter = meter;
        Quantities = quantities;
        TaskName = taskName;
        IntervalUnixMs = intervalUnixMs;
        DeadlineUnixMs = deadlineUnixMs;
        Completion = completion;
        CancellationToken = cancellationToken;
    }

    public Meter Meter { get; private init; }

    /// <summary>For an operation job (<see cref="CreateOperation"/>): what to run on the meter instead of a read.</summary>
    public Func<Meter, CancellationToken, Task>? Operation { get; private init; }

    /// <summary>Quantities to read; empty = all the meter's profile supports.</summary>
    public IReadOnlyCollection<ObisCode> Quantities { get; }

    /// <summary>The collection task the job belongs to ("on-demand" for on-demand jobs).</summary>
    public string TaskName { get; }

    /// <summary>Interval timestamp of the readings (Unix ms); for on-demand jobs 0 = stamp with the read time.</summary>
    public long IntervalUnixMs { get; }

    /// <summary>Readings taken at or after this time (Unix ms) are Late; long.MaxValue for on-demand jobs.</summary>
    public long DeadlineUnixMs { get; }

    public bool OnDemand => Completion is not null;

    public TaskCompletionSource<IReadOnlyList<Reading>>? Completion { get; }

    /// <summary>The missed interval this job re-reads; null for ordinary jobs.</summary>
    public MissedInterval? CatchUpOf { get; private init; }

    public bool CatchUp => CatchUpOf is not null;

    /// <summary>The requester's token (on-demand); a job cancelled before it starts is dropped.</summary>
    public CancellationToken CancellationToken { get; }

    public static ReadJob Scheduled(Meter meter, IReadOnlyCollection<ObisCode> quantities, string taskName, long intervalUnixMs, long deadlineUnixMs) =>
        new(meter, quantities, taskName, intervalUnixMs, deadlineUnixMs, null, CancellationToken.None);

    /// <summary>A re-read of a missed interval, stamped with that interval and flagged Late.</summary>
    public static ReadJob CreateCatchUp(Meter meter, MissedInterval missed)
    {
        ArgumentNullException.ThrowIfNull(missed);
        return new(meter, missed.Quantities, missed.Task, missed.IntervalUnixMs, missed.DeadlineUnixMs, null, CancellationToken.None) { CatchUpOf = missed };
    }

    public static ReadJob CreateOnDemand(Meter meter, IReadOnlyCollection<ObisCode> quantities, CancellationToken cancellationToken) =>
        new(meter, quantities, OnDemandTaskName, 0, long.MaxValue,
            new TaskCompletionSource<IReadOnlyList<Reading>>(TaskCreationOptions.RunContinuationsAsynchronously), cancellationToken);

    /// <summary>
    /// An operation on the meter (relay, clock, ...) run as an on-demand job; its completion receives an
    /// empty list when <paramref name="operation"/> succeeded, or what it threw.
    /// </summary>
    public static ReadJob CreateOperation(Meter meter, Func<Meter, CancellationToken, Task> operation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        return CreateOnDemand(meter, [], cancellationToken) with { Operation = operation };
    }

    /// <summary>The same job for the meter's current archive entry (same id).</summary>
    internal ReadJob WithMeter(Meter meter) => this with { Meter = meter };

    public const string OnDemandTaskName = "on-demand";
}
