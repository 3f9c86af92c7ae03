using Dcu.Core.Model;

namespace Dcu.Core.Collection;

/// <summary>
/// Sees the outcome of every scheduled job (and catch-up job) of a bus worker: the feed of
/// collection-quality statistics. On-demand jobs are not reported (they have no interval).
/// </summary>
/// <remarks>
/// Called from the bus workers' jobs, possibly from several threads at once (several buses, or a
/// bus with <c>maxConcurrency</c> &gt; 1). Must be quick and must not block; an exception thrown
/// here is counted as unexpected by the worker and otherwise ignored.
/// </remarks>
public interface ICollectionObserver
{
    void OnScheduledJob(CollectionJobResult result);
}

/// <summary>How a scheduled job ended.</summary>
public enum CollectionOutcome
{
    /// <summary>Readings were produced and at least one was appended to the outbox.</summary>
    Collected,
    /// <summary>Every attempt failed (timeout, protocol error, unexpected error), or no reading reached the outbox.</summary>
    Failed,
    /// <summary>Not attempted: the meter is offline and this due job was not one of its reduced polls.</summary>
    SkippedOffline,
    /// <summary>Not attempted: a newer interval of the same meter and task was queued (backlog).</summary>
    Superseded,
    /// <summary>Not attempted: the scheduled queue was full.</summary>
    Dropped,
}

/// <summary>The outcome of one scheduled job.</summary>
/// <param name="IntervalUnixMs">The interval timestamp the job was for (and its readings are stamped with).</param>
/// <param name="DeadlineUnixMs">End of the job's own interval: collected before it = on time.</param>
/// <param name="CompletedUnixMs">When the job ended (DCU clock).</param>
/// <param name="CatchUp">True for a re-read of a missed interval (<see cref="IMissedIntervalReader"/>); never on time.</param>
public readonly record struct CollectionJobResult(
    MeterId Meter,
    string Task,
    long IntervalUnixMs,
    long DeadlineUnixMs,
    long CompletedUnixMs,
    CollectionOutcome Outcome,
    bool CatchUp = false)
{
    public bool Collected => Outcome == CollectionOutcome.Collected;

    /// <summary>Collected within its own interval (before the next read of the task was due), not by a catch-up.</summary>
    public bool OnTime => Collected && !CatchUp && CompletedUnixMs < DeadlineUnixMs;
}
