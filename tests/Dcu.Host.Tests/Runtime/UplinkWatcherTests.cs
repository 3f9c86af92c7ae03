using Dcu.Core.Model;
using Dcu.Host.Runtime;
using Dcu.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Dcu.Host.Tests.Runtime;

public sealed class UplinkWatcherTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task An_outage_longer_than_the_minimum_gives_down_at_its_start_and_up_with_its_length()
    {
        var time = new FakeTimeProvider(Start);
        var sink = new EventSink();
        var watcher = new UplinkWatcher(sink, TimeSpan.FromSeconds(30), time, NullLogger.Instance);
        using var cts = new CancellationTokenSource();
        var run = watcher.RunAsync(cts.Token);

        watcher.OnConnectionChanged(false);                  // not up yet at start: no outage
        watcher.OnConnectionChanged(true);
        time.Advance(TimeSpan.FromMinutes(1));
        watcher.OnConnectionChanged(false);
        var lostAt = time.GetUtcNow();
        time.Advance(TimeSpan.FromSeconds(30));
        await Eventually.TrueAsync(() => sink.Events.Count == 1, "uplink_down after 30 s");
        var down = sink.Events.Single();
        Assert.Equal(EventKinds.UplinkDown, down.Kind);
        Assert.Equal(lostAt.ToUnixTimeMilliseconds(), down.UnixMs);

        time.Advance(TimeSpan.FromMinutes(5));
        watcher.OnConnectionChanged(true);
        await Eventually.TrueAsync(() => sink.Events.Count == 2, "uplink_up");
        var up = sink.Events.Last();
        Assert.Equal(EventKinds.UplinkUp, up.Kind);
        Assert.Equal(time.GetUtcNow().ToUnixTimeMilliseconds(), up.UnixMs);
        Assert.Contains("back after 5 min 30 s", up.Detail, StringComparison.Ordinal);
        await cts.CancelAsync();
        await run;
    }

    [Fact]
    public async Task Short_drops_are_counted_not_reported()
    {
        var time = new FakeTimeProvider(Start);
        var sink = new EventSink();
        var watcher = new UplinkWatcher(sink, TimeSpan.FromSeconds(30), time, NullLogger.Instance);
        using var cts = new CancellationTokenSource();
        var run = watcher.RunAsync(cts.Token);
        watcher.OnConnectionChanged(true);
        for (var i = 0; i < 20; i++)
        {
            watcher.OnConnectionChanged(false);
            time.Advance(TimeSpan.FromSeconds(29));           // just under the minimum
            watcher.OnConnectionChanged(true);
        }
        await Eventually.TrueAsync(() => watcher.ShortOutages == 20, "20 short drops seen");
        Assert.Empty(sink.Events);
        // One at the minimum is reported, both ways, even when the loop sees it only after it ended.
        watcher.OnConnectionChanged(false);
        time.Advance(TimeSpan.FromSeconds(30));
        watcher.OnConnectionChanged(true);
        await Eventually.TrueAsync(() => sink.Events.Count == 2, "down and up");
        Assert.Equal([EventKinds.UplinkDown, EventKinds.UplinkUp], sink.Events.Select(e => e.Kind));
        Assert.Contains("back after 30 s", sink.Events.Last().Detail, StringComparison.Ordinal);
        await cts.CancelAsync();
        await run;
    }
}
