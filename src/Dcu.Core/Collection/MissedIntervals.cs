using Dcu.Core.Model;

namespace Dcu.Core.Collection;

/// <summary>
/// The scheduled intervals one meter missed, oldest first, bounded: when full the oldest is
/// forgotten (and counted). One entry per (task, interval). Thread-safe.
/// </summary>
internal sealed class MissedIntervals(int capacity)
{
    private readonly object _gate = new();
    private readonly LinkedList<MissedInterval> _items = new();

    public long Forgotten { get; private set; }

    public int Count { get { lock (_gate) return _items.Count; } }

    /// <summary>Remembers a miss (ignored when the same task and interval is already remembered).</summary>
    public void Add(MissedInterval missed)
    {
        if (capacity == 0) { lock (_gate) Forgotten++; return; }
        lock (_gate)
        {
            foreach (var m in _items)
                if (m.IntervalUnixMs == missed.IntervalUnixMs && m.Task == missed.Task) return;
            if (_items.Count >= capacity)
            {
                _items.RemoveFirst();
                Forgotten++;
            }
            _items.AddLast(missed);
        }
    }

    /// <summary>Takes every remembered miss, oldest first, and forgets them.</summary>
    public IReadOnlyList<MissedInterval> TakeAll()
    {
        lock (_gate)
        {
            if (_items.Count == 0) return [];
            var all = _items.ToArray();
            _items.Clear();
            return all;
        }
    }

    public IReadOnlyList<MissedInterval> Snapshot()
    {
        lock (_gate) return _items.ToArray();
    }
}

/// <summary>A scheduled interval a meter missed; <paramref name="Attempts"/> counts catch-up reads already tried.</summary>
public sealed record MissedInterval(MeterId Meter, string Task, long IntervalUnixMs, long DeadlineUnixMs, IReadOnlyCollection<ObisCode> Quantities, int Attempts = 0);
