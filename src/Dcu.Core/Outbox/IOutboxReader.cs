namespace Dcu.Core.Outbox;

/// <summary>
/// The read side of the outbox, for the uplink publisher: look at the oldest unsent items, number them
/// into batches, finish batches once acknowledged (their items move to the sent history), and wait for
/// new ones without polling. One publisher per outbox.
/// </summary>
public interface IOutboxReader
{
    /// <summary>Up to <paramref name="max"/> oldest items of <paramref name="lane"/> with an id above <paramref name="afterId"/>, ascending.</summary>
    OutboxRecord[] PeekOldest(OutboxLane lane, int max, long afterId = 0);

    /// <summary>Deletes the given ids (missing ids, e.g. already evicted, are ignored), without keeping them in the history. Completes once committed.</summary>
    Task RemoveAsync(OutboxLane lane, IReadOnlyCollection<long> ids, CancellationToken cancellationToken);

    /// <summary>
    /// Up to <paramref name="maxBatches"/> open batches of <paramref name="lane"/> (already numbered, not finished),
    /// lowest seq first, with the items they still hold; <paramref name="include"/> filters by seq (e.g. skip
    /// batches awaiting a DCP ack). A batch whose items were all evicted comes back with no items: finish it.
    /// </summary>
    OutboxBatch[] PeekBatches(OutboxLane lane, int maxBatches, Func<long, bool>? include = null);

    /// <summary>The seqs of all open batches.</summary>
    long[] OpenBatchSeqs();

    /// <summary>
    /// Numbers the oldest items of <paramref name="lane"/> that are in no batch yet into up to
    /// <paramref name="maxBatches"/> new batches of up to <paramref name="batchSize"/> items, each with the
    /// next DCU-wide seq. Completes once the numbering is durable (so a published seq is never handed out again).
    /// </summary>
    Task<OutboxBatch[]> OpenBatchesAsync(OutboxLane lane, int batchSize, int maxBatches, CancellationToken cancellationToken);

    /// <summary>
    /// Finishes the open batches whose seq is in <paramref name="seqs"/>: in one transaction their items
    /// leave the lane for the sent history. Unknown seqs are ignored. Returns the seqs finished.
    /// </summary>
    Task<long[]> FinishBatchesAsync(IReadOnlyList<SeqRange> seqs, CancellationToken cancellationToken);

    /// <summary>
    /// A task that completes at the next commit that stores new items. Take it BEFORE peeking, then
    /// await it only if the peek came back empty, so no commit is missed.
    /// </summary>
    Task NextAppend();

    OutboxStats GetStats();
}
