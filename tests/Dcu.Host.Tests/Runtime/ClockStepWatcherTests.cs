using Dcu.Core.Model;
using Dcu.Host.Runtime;
using Dcu.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dcu.Host.Tests.Runtime;

public sealed class ClockStepWatcherTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Steps_beyond_the_threshold_are_reported_with_their_size_and_direction_and_time_passing_is_not()
    {
        var time = new SteppableTime(Start);
        var watcher = new ClockStepWatcher(new EventSink(), TimeSpan.FromSeconds(5), time, NullLogger.Instance);
        time.Advance(TimeSpan.FromMinutes(10));
        Assert.Null(watcher.Check());

        time.WallOffset = TimeSpan.FromSeconds(5);          // exactly the threshold: not a step
        Assert.Null(watcher.Check());
        time.WallOffset = TimeSpan.FromSeconds(10.5);        // 5.5 s more
        time.Advance(TimeSpan.FromSeconds(10));
        var forward = watcher.Check();
        Assert.NotNull(forward);
        Assert.Equal(EventKinds.ClockStep, forward.Kind);
        Assert.Null(forward.Meter);
        Assert.Contains("forward by 5.5 s", forward.Detail, StringComparison.Ordinal);
        Assert.Equal(time.GetUtcNow().ToUnixTimeMilliseconds(), forward.UnixMs);
        Assert.Null(watcher.Check());                        // the new time is the new baseline

        time.WallOffset -= TimeSpan.FromHours(2);
        var back = watcher.Check();
        Assert.Contains("back by 2 h 0 min", back!.Detail, StringComparison.Ordinal);
        Assert.Contains("from about 2026-11-25T12:10:20Z to 2026-11-25T10:10:20Z", back.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void From_1970_to_now_after_a_cold_boot()
    {
        var time = new SteppableTime(DateTimeOffset.UnixEpoch.AddSeconds(42));
        var watcher = new ClockStepWatcher(new EventSink(), TimeSpan.FromSeconds(5), time, NullLogger.Instance);
        time.WallOffset = Start - DateTimeOffset.UnixEpoch.AddSeconds(42);
        Assert.Contains("forward by 20782 d 11 h", watcher.Check()!.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_loop_checks_every_interval_and_writes_the_event_to_the_outbox()
    {
        var time = new SteppableTime(Start);
        var sink = new EventSink();
        var watcher = new ClockStepWatcher(sink, TimeSpan.FromSeconds(5), time, NullLogger.Instance);
        using var cts = new CancellationTokenSource();
        var run = watcher.RunAsync(TimeSpan.FromSeconds(10), cts.Token);
        time.WallOffset = TimeSpan.FromMinutes(1);
        time.Advance(TimeSpan.FromSeconds(10));
        await Eventually.TrueAsync(() => sink.Events.Count == 1, "clock_step written");
        time.Advance(TimeSpan.FromSeconds(10));
        time.Advance(TimeSpan.FromSeconds(10));
        await cts.CancelAsync();
        await run;
        Assert.Single(sink.Events);
        Assert.Contains("forward by 1 min 0 s", sink.Events.Single().Detail, StringComparison.Ordinal);
    }
}
