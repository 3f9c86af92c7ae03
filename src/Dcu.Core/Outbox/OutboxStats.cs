namespace Dcu.Core.Outbox;

/// <summary>A snapshot of the outbox counters.</summary>
/// <param name="ReadingsDepth">Readings stored and not yet removed (acknowledged).</param>
/// <param name="EventsDepth">Events stored and not yet removed.</param>
/// <param name="OldestUnsentAge">Age of the oldest stored item (by its read/event time), or null when empty.</param>
/// <param name="EvictedTotal">Items evicted by the size bound since start.</param>
/// <param name="AppendedTotal">Items committed since start (including eviction events).</param>
/// <param name="RemovedTotal">Items removed after acknowledgement since start.</param>
/// <param name="CommittedBatches">Write transactions committed since start.</param>
/// <param name="QueueLength">Items queued and not yet committed.</param>
/// <param name="WriteFailing">True while commits fail (e.g. disk full): items stay queued, producers wait once the queue is full, the writer retries with a backoff.</param>
/// <param name="LastError">The error of the current failing episode (null when writes succeed).</param>
public sealed record OutboxStats(
    long ReadingsDepth,
    long EventsDepth,
    TimeSpan? OldestUnsentAge,
    long EvictedTotal,
    long AppendedTotal,
    long RemovedTotal,
    long CommittedBatches,
    int QueueLength,
    bool WriteFailing = false,
    string? LastError = null)
{
    public long Depth(OutboxLane lane) => lane == OutboxLane.Events ? EventsDepth : ReadingsDepth;
}
