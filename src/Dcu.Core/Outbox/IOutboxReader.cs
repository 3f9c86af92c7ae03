namespace Dcu.Core.Outbox;

/// <summary>
/// The read side of the outbox, for the uplink publisher: look at the oldest unsent items,
/// remove them once the broker acknowledged them, and wait for new ones without polling.
/// </summary>
public interface IOutboxReader
{
    /// <summary>Up to <paramref name="max"/> oldest items of <paramref name="lane"/> with an id above <paramref name="afterId"/>, ascending.</summary>
    OutboxRecord[] PeekOldest(OutboxLane lane, int max, long afterId = 0);

    /// <summary>Deletes the given ids (missing ids, e.g. already evicted, are ignored). Completes once committed.</summary>
    Task RemoveAsync(OutboxLane lane, IReadOnlyCollection<long> ids, CancellationToken cancellationToken);

    /// <summary>
    /// A task that completes at the next commit that stores new items. Take it BEFORE peeking, then
    /// await it only if the peek came back empty, so no commit is missed.
    /// </summary>
    Task NextAppend();

    OutboxStats GetStats();
}
