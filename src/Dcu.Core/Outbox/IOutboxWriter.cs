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
    ValueTask AppendAsync(Reading reading, CancellationToken cancellationToken);

    ValueTask AppendAsync(MeterEvent meterEvent, CancellationToken cancellationToken);

    /// <summary>Completes when every item appended before the call is committed to disk.</summary>
    Task FlushAsync(CancellationToken cancellationToken);
}
