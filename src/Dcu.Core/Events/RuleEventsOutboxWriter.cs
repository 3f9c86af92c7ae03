using Dcu.Core.Model;
using Dcu.Core.Outbox;

namespace Dcu.Core.Events;

/// <summary>
/// Decorates the outbox writer with <see cref="ReadingRules"/>: every reading and event is passed
/// through unchanged and in order, and the events a reading gives rise to are appended right after
/// it (into the Events lane, published ahead of the readings backlog). Bus workers need no change.
/// Safe for several bus workers at once: the rules run under one lock (microseconds per reading).
/// </summary>
public sealed class RuleEventsOutboxWriter : IOutboxWriter
{
    private readonly IOutboxWriter _inner;
    private readonly ReadingRules _rules;
    private readonly Lock _gate = new();
    private readonly List<MeterEvent> _found = [];

    public RuleEventsOutboxWriter(IOutboxWriter inner, ReadingRules rules)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(rules);
        _inner = inner;
        _rules = rules;
    }

    public ReadingRules Rules => _rules;

    public ValueTask AppendAsync(Reading reading, CancellationToken cancellationToken) => AppendAsync(reading, OutboxLane.Readings, cancellationToken);

    public async ValueTask AppendAsync(Reading reading, OutboxLane lane, CancellationToken cancellationToken)
    {
        await _inner.AppendAsync(reading, lane, cancellationToken).ConfigureAwait(false);
        MeterEvent[]? events = null;
        lock (_gate)
        {
            _found.Clear();
            _rules.Evaluate(reading, _found);
            if (_found.Count > 0) events = [.. _found];
        }
        if (events is null) return;
        foreach (var e in events) await _inner.AppendAsync(e, cancellationToken).ConfigureAwait(false);
    }

    public ValueTask AppendAsync(MeterEvent meterEvent, CancellationToken cancellationToken) => _inner.AppendAsync(meterEvent, cancellationToken);

    public ValueTask AppendMessageAsync(OutboxMessage message, CancellationToken cancellationToken) => _inner.AppendMessageAsync(message, cancellationToken);

    public Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);
}
