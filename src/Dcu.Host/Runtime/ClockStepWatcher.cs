using Dcu.Core.Model;
using Dcu.Core.Outbox;
using Microsoft.Extensions.Logging;

namespace Dcu.Host.Runtime;

/// <summary>
/// Raises clock_step when the wall clock jumped against the monotonic clock by more than the
/// threshold between two checks: NTP stepped it (e.g. from 1970 after a cold boot), someone set it,
/// or a clock command did. The detail says by how much and from when to when. NTP's slewing moves
/// the clock by milliseconds a second and never reaches the threshold.
/// </summary>
public sealed class ClockStepWatcher
{
    private readonly IOutboxWriter _outbox;
    private readonly TimeSpan _threshold;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private DateTimeOffset _wall;
    private long _mono;

    public ClockStepWatcher(IOutboxWriter outbox, TimeSpan threshold, TimeProvider time, ILogger logger)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(threshold, TimeSpan.Zero);
        _outbox = outbox;
        _threshold = threshold;
        _time = time;
        _log = logger;
        _wall = time.GetUtcNow();
        _mono = time.GetTimestamp();
    }

    /// <summary>Compares the clocks since the last check and starts a new one; the clock_step event, or null.</summary>
    public MeterEvent? Check()
    {
        var wall = _time.GetUtcNow();
        var mono = _time.GetTimestamp();
        var expected = _wall + _time.GetElapsedTime(_mono, mono);
        _wall = wall;
        _mono = mono;
        var step = wall - expected;
        if (step.Duration() <= _threshold) return null;
        var detail = $"the wall clock jumped {(step > TimeSpan.Zero ? "forward" : "back")} by {Durations.Format(step.Duration())}: from about {Durations.Utc(expected)} to {Durations.Utc(wall)}";
        _log.LogWarning("Clock step: {Detail}", detail);
        return new MeterEvent(null, EventKinds.ClockStep, wall.ToUnixTimeMilliseconds(), detail);
    }

    public async Task RunAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(interval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
                if (Check() is { } step) await _outbox.AppendAsync(step, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }
}
