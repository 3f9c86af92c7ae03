namespace Dcu.Core.Outbox;

/// <summary>
/// A numbered batch of one lane: the items with ids <see cref="FirstId"/>..<see cref="LastId"/> of
/// <see cref="Lane"/> that are published together under <see cref="Seq"/>. The seq is DCU-wide, only
/// grows (across lanes and restarts: it is stored in the outbox file) and stays the batch's own when
/// it is re-published. Items evicted by the size bound simply leave the batch.
/// </summary>
public sealed record OutboxBatch(long Seq, OutboxLane Lane, long FirstId, long LastId, OutboxRecord[] Items);

/// <summary>An inclusive range of batch seqs (a single seq is <c>From == To</c>).</summary>
public readonly record struct SeqRange(long From, long To)
{
    public bool Contains(long seq) => seq >= From && seq <= To;

    public static SeqRange Single(long seq) => new(seq, seq);
}
