using Dcu.Core.Model;

namespace Dcu.Core.Collection;

// Quiet time on the line: the turnaround after a meter's reply, per bus (serial) or per meter (parallel).
public sealed partial class BusWorker
{
    private void MarkReply(Meter meter, MeterState state)
    {
        var now = _time.GetTimestamp();
        if (MaxConcurrency == 1)
        {
            // Serial bus: the quiet time after any meter's reply holds the whole bus.
            _lastReplyTimestamp = now;
            _lastTurnaround = meter.Turnaround;
        }
        else
        {
            // Parallel bus: the quiet time holds only that meter (its state is touched by its one job in flight).
            state.LastReplyTimestamp = now;
        }
    }

    private async Task WaitForTurnaroundAsync(Meter meter, MeterState state, CancellationToken stop)
    {
        var (turnaround, since) = MaxConcurrency == 1
            ? (_lastTurnaround, _lastReplyTimestamp)
            : (meter.Turnaround, state.LastReplyTimestamp);
        await WaitQuietAsync(turnaround, since, stop);
    }

    private async Task WaitQuietAsync(TimeSpan turnaround, long since, CancellationToken stop)
    {
        if (turnaround <= TimeSpan.Zero || since == 0) return;
        var wait = turnaround - _time.GetElapsedTime(since);
        if (wait > TimeSpan.Zero) await Task.Delay(wait, _time, stop);
    }

    /// <summary>Before a whole-bus operation: every meter's quiet time after its last reply has passed (all slots are held, nothing else runs).</summary>
    private async Task WaitForBusQuietAsync(CancellationToken stop)
    {
        if (MaxConcurrency == 1)
        {
            await WaitQuietAsync(_lastTurnaround, _lastReplyTimestamp, stop);
            return;
        }
        (Meter Meter, MeterState State)[] meters;
        lock (_gate) meters = _order.Select(m => (m, _state[m.Id])).ToArray();
        foreach (var (m, s) in meters) await WaitQuietAsync(m.Turnaround, s.LastReplyTimestamp, stop);
    }

    /// <summary>After a whole-bus operation (no reply to wait for): the bus keeps quiet for the longest turnaround of its meters.</summary>
    private void MarkBusUsed()
    {
        var now = _time.GetTimestamp();
        lock (_gate)
        {
            if (MaxConcurrency == 1)
            {
                _lastReplyTimestamp = now;
                _lastTurnaround = _order.Count == 0 ? TimeSpan.Zero : _order.Max(m => m.Turnaround);
            }
            else
            {
                foreach (var s in _state.Values) s.LastReplyTimestamp = now;
            }
        }
    }
}
