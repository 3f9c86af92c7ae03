using System.Collections.Concurrent;
using Dcu.Core.Model;
using Dcu.Core.Outbox;

namespace Dcu.Testing;

/// <summary>An outbox writer that keeps what it is given, for tests of code that appends events, readings or messages.</summary>
public sealed class RecordingOutbox : IOutboxWriter
{
    public ConcurrentQueue<MeterEvent> Events { get; } = new();

    public ConcurrentQueue<(Reading Reading, OutboxLane Lane)> Readings { get; } = new();

    public ConcurrentQueue<OutboxMessage> Messages { get; } = new();

    public ValueTask AppendAsync(Reading reading, CancellationToken cancellationToken) => AppendAsync(reading, OutboxLane.Readings, cancellationToken);

    public ValueTask AppendAsync(Reading reading, OutboxLane lane, CancellationToken cancellationToken)
    {
        Readings.Enqueue((reading, lane));
        return ValueTask.CompletedTask;
    }

    public ValueTask AppendAsync(MeterEvent meterEvent, CancellationToken cancellationToken)
    {
        Events.Enqueue(meterEvent);
        return ValueTask.CompletedTask;
    }

    public ValueTask AppendMessageAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        Messages.Enqueue(message);
        return ValueTask.CompletedTask;
    }

    public Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
