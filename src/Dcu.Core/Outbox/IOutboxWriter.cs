using Dcu.Core.Model;

namespace Dcu.Core.Outbox;

/// <summary>
/// The only way out of a bus worker: readings and events go into the durable outbox. Appends
/// are queued to one writer that commits them in batches; the returned task completes once the
/// item is queued (backpressure when the queue is full), not when it is on disk. Call
/// <see cref="FlushAsync"/> to wait until everything queued so far is committed.
/// </summary>
public interface IOutboxWriter
{
    /// <summary>An interval reading (the <see cref="OutboxLane.Readings"/> lane).</summary>
    ValueTask AppendAsync(Reading reading, CancellationToken cancellationToken);

    /// <summary>A reading for <see cref="OutboxLane.Readings"/> or <see cref="OutboxLane.Billing"/> (billing/daily values).</summary>
    /// <remarks>The default (for writers that only know readings) takes the Readings lane and refuses the others.</remarks>
    ValueTask AppendAsync(Reading reading, OutboxLane lane, CancellationToken cancellationToken) =>
        lane == OutboxLane.Readings ? AppendAsync(reading, cancellationToken) : throw new NotSupportedException($"This outbox has no {lane} lane.");

    ValueTask AppendAsync(MeterEvent meterEvent, CancellationToken cancellationToken);

    /// <summary>A single message for the <see cref="OutboxLane.Results"/> lane, published verbatim on <c>dcu/{id}/{TopicSuffix}</c>.</summary>
    ValueTask AppendMessageAsync(OutboxMessage message, CancellationToken cancellationToken) =>
        throw new NotSupportedException("This outbox has no Results lane.");

    /// <summary>Completes when every item appended before the call is committed to disk.</summary>
    Task FlushAsync(CancellationToken cancellationToken);
}
