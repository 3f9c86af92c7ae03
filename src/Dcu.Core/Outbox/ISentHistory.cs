namespace Dcu.Core.Outbox;

/// <summary>The sent history of the outbox: items of finished batches, kept for a resend (<see cref="OutboxOptions.KeepSentDays"/>).</summary>
public interface ISentHistory
{
    /// <summary>
    /// Queues every history item matching <paramref name="query"/> again into its lane (new outbox ids,
    /// published again under a new seq; the item's identity is unchanged so the DCP drops duplicates).
    /// Returns how many were queued. Waits (backpressure) while the append queue is full.
    /// </summary>
    Task<int> ResendAsync(SentQuery query, CancellationToken cancellationToken);
}

/// <summary>
/// Which sent items to resend: by the seq of the batch they were sent in (<see cref="Seqs"/>), or by
/// meter and item time (interval time of a reading, time of an event) within <see cref="FromUnixMs"/>..<see cref="ToUnixMs"/>
/// (inclusive); <see cref="Meters"/> null means all meters (DCU events included).
/// </summary>
public sealed record SentQuery(SeqRange? Seqs, IReadOnlySet<string>? Meters = null, long FromUnixMs = long.MinValue, long ToUnixMs = long.MaxValue)
{
    public static SentQuery BySeq(long from, long to) => new(new SeqRange(from, to));

    public static SentQuery ByTime(IReadOnlySet<string>? meters, long fromUnixMs, long toUnixMs) => new(null, meters, fromUnixMs, toUnixMs);
}
