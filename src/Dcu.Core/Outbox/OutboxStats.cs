namespace Dcu.Core.Outbox;

/// <summary>A snapshot of the outbox counters.</summary>
/// <param name="ReadingsDepth">Readings (interval profiles) stored and not yet finished.</param>
/// <param name="EventsDepth">Events stored and not yet finished.</param>
/// <param name="OldestUnsentAge">Age of the oldest stored item (by its read/event time), or null when empty.</param>
/// <param name="EvictedTotal">Items evicted by the size bound since start.</param>
/// <param name="AppendedTotal">Items committed since start (including eviction events).</param>
/// <param name="RemovedTotal">Items removed (finished or removed after acknowledgement) since start.</param>
/// <param name="CommittedBatches">Write transactions committed since start.</param>
/// <param name="QueueLength">Items queued and not yet committed.</param>
/// <param name="WriteFailing">True while commits fail (e.g. disk full): items stay queued, producers wait once the queue is full, the writer retries with a backoff.</param>
/// <param name="LastError">The error of the current failing episode (null when writes succeed).</param>
/// <param name="BillingDepth">Billing values stored and not yet finished.</param>
/// <param name="ResultsDepth">Single messages (command results, ...) stored and not yet acknowledged.</param>
/// <param name="SentItems">Items in the sent history.</param>
/// <param name="OpenBatches">Numbered batches formed and not finished (published, or awaiting a DCP ack).</param>
/// <param name="LastSeq">The last batch seq handed out (0 before the first).</param>
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
    string? LastError = null,
    long BillingDepth = 0,
    long ResultsDepth = 0,
    long SentItems = 0,
    int OpenBatches = 0,
    long LastSeq = 0)
{
    public long Depth(OutboxLane lane) => lane switch
    {
        OutboxLane.Results => ResultsDepth,
        OutboxLane.Events => EventsDepth,
        OutboxLane.Billing => BillingDepth,
        _ => ReadingsDepth,
    };

    /// <summary>Items waiting in all lanes.</summary>
    public long TotalDepth => ReadingsDepth + EventsDepth + BillingDepth + ResultsDepth;
}
