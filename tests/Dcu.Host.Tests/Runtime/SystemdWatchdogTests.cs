using Dcu.Host.Runtime;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Dcu.Host.Tests.Runtime;

public sealed class SystemdWatchdogTests
{
    private sealed class RecordingNotifier : ISystemdNotifier
    {
        public int Pings;

        public bool IsEnabled => true;

        public void Notify(ServiceState state)
        {
            if (state.ToString() == "WATCHDOG=1") Interlocked.Increment(ref Pings);
        }
    }

    [Fact]
    public async Task Feeds_the_watchdog_only_while_healthy()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddYears(56));
        var notifier = new RecordingNotifier();
        string? problem = null;
        using var stop = new CancellationTokenSource();
        var run = new SystemdWatchdog(notifier, () => problem, TimeSpan.FromSeconds(15), time, NullLogger.Instance).RunAsync(stop.Token);

        await Dcu.Testing.Eventually.TrueAsync(() => Volatile.Read(ref notifier.Pings) == 1, "first ping at start");
        time.Advance(TimeSpan.FromSeconds(15));
        await Dcu.Testing.Eventually.TrueAsync(() => Volatile.Read(ref notifier.Pings) == 2, "second ping after one period");

        problem = "the outbox writer has stopped";
        time.Advance(TimeSpan.FromSeconds(15));
        time.Advance(TimeSpan.FromSeconds(15));
        await stop.CancelAsync();
        await run;
        Assert.Equal(2, notifier.Pings);
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("", null)]
    [InlineData("abc", null)]
    [InlineData("30000000", 15.0)]
    public void Period_is_half_of_WATCHDOG_USEC(string? usec, double? seconds)
    {
        var before = Environment.GetEnvironmentVariable("WATCHDOG_USEC");
        try
        {
            Environment.SetEnvironmentVariable("WATCHDOG_USEC", usec);
            Assert.Equal(seconds, SystemdWatchdog.PeriodFromEnvironment()?.TotalSeconds);
        }
        finally
        {
            Environment.SetEnvironmentVariable("WATCHDOG_USEC", before);
        }
    }
}
