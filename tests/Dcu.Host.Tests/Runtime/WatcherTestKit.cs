using System.Collections.Concurrent;
using Dcu.Core.Model;
using Dcu.Core.Outbox;
using Microsoft.Extensions.Time.Testing;

namespace Dcu.Host.Tests.Runtime;

internal sealed class EventSink : IOutboxWriter
{
    public ConcurrentQueue<MeterEvent> Events { get; } = new();

    public ValueTask AppendAsync(Reading reading, CancellationToken cancellationToken) => throw new InvalidOperationException("watchers write events only");

    public ValueTask AppendAsync(MeterEvent meterEvent, CancellationToken cancellationToken)
    {
        Events.Enqueue(meterEvent);
        return ValueTask.CompletedTask;
    }

    public Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>
/// A FakeTimeProvider whose wall clock can be stepped without moving the monotonic clock
/// (FakeTimeProvider derives both from one instant, as a real machine does not).
/// </summary>
internal sealed class SteppableTime(DateTimeOffset start) : FakeTimeProvider(start)
{
    public TimeSpan WallOffset { get; set; }

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + WallOffset;

    public override long GetTimestamp() => base.GetUtcNow().Ticks;
}
