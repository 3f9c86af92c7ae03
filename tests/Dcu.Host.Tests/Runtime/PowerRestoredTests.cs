using Dcu.Core.Model;
using Dcu.Core.Outbox;
using Dcu.Host.Configuration;
using Dcu.Host.Runtime;
using Dcu.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Dcu.Host.Tests.Runtime;

public sealed class PowerRestoredTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("dcu-power-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public void The_marker_tells_a_clean_stop_from_a_power_cut_and_says_when_and_how_long()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.Zero));
        var bootId = Path.Combine(_dir.FullName, "boot_id");
        File.WriteAllText(bootId, "boot-1\n");
        var first = new PowerLossMarker(_dir.FullName, time, NullLogger.Instance, bootId);
        Assert.Null(first.Start());
        Assert.True(File.Exists(first.Path));
        time.Advance(TimeSpan.FromMinutes(3));
        first.Touch();                                   // last alive 10:03
        time.Advance(TimeSpan.FromSeconds(30));          // power goes at about 10:03:30, no clean stop

        time.Advance(TimeSpan.FromMinutes(12));          // back at 10:15:30, after a reboot
        File.WriteAllText(bootId, "boot-2\n");
        var second = new PowerLossMarker(_dir.FullName, time, NullLogger.Instance, bootId);
        var restored = second.Start();
        Assert.NotNull(restored);
        Assert.Equal(EventKinds.PowerRestored, restored.Kind);
        Assert.Null(restored.Meter);
        Assert.Equal(time.GetUtcNow().ToUnixTimeMilliseconds(), restored.UnixMs);
        Assert.Contains("last alive 2026-11-25T10:03:00Z", restored.Detail, StringComparison.Ordinal);
        Assert.Contains("down about 12 min 30 s", restored.Detail, StringComparison.Ordinal);
        Assert.Contains("the host rebooted", restored.Detail, StringComparison.Ordinal);

        // Killed without a reboot this time.
        var third = new PowerLossMarker(_dir.FullName, time, NullLogger.Instance, bootId);
        Assert.Contains("did not reboot", third.Start()!.Detail, StringComparison.Ordinal);

        third.StopCleanly();
        Assert.False(File.Exists(third.Path));
        Assert.Null(new PowerLossMarker(_dir.FullName, time, NullLogger.Instance, bootId).Start());
    }

    [Fact]
    public void A_torn_marker_falls_back_to_its_file_time()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(1));
        File.WriteAllText(Path.Combine(_dir.FullName, PowerLossMarker.FileName), "v1 12");
        var restored = new PowerLossMarker(_dir.FullName, time, NullLogger.Instance).Start();
        Assert.NotNull(restored);
        Assert.Contains("down about", restored.Detail, StringComparison.Ordinal);
    }

    private sealed class Lifetime : IHostApplicationLifetime
    {
        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => CancellationToken.None;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public int StopRequests { get; private set; }

        public void StopApplication() => StopRequests++;
    }

    private DcuSettings Settings()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Dcu:Id"] = "power-test",
            ["Dcu:DataDirectory"] = _dir.FullName,
            // Nobody listens there: the uplink just keeps retrying, which is all this test needs.
            ["Mqtt:Host"] = "127.0.0.1",
            ["Mqtt:Port"] = FreeTcpPort.Get().ToString(System.Globalization.CultureInfo.InvariantCulture),
        }).Build();
        var settings = SettingsResolver.Resolve(DcuSettings.Bind(config), config);
        Assert.Empty(SettingsValidator.Validate(settings, null));
        return settings;
    }

    /// <summary>Starts a whole DCU runtime on the data directory, returns the DCU events in its outbox, and stops it cleanly.</summary>
    private async Task<List<MeterEvent>> RunOnceAsync(Action? beforeStop = null)
    {
        var lifetime = new Lifetime();
        var runtime = new DcuRuntime(Settings(), new Dictionary<string, Drivers.Profiles.MeterProfile>(), RunMode.Service, TimeProvider.System, NullLoggerFactory.Instance, lifetime);
        await using (runtime)
        {
            await runtime.StartAsync(CancellationToken.None);
            await runtime.Outbox!.FlushAsync(CancellationToken.None);
            var events = runtime.Outbox.PeekOldest(OutboxLane.Events, 1000).Select(r => r.Event!).ToList();
            beforeStop?.Invoke();
            await runtime.StopAsync(CancellationToken.None);
            Assert.Equal(0, lifetime.StopRequests);
            return events;
        }
    }

    [Fact]
    public async Task Two_runtime_starts_a_clean_stop_reports_nothing_and_a_power_cut_reports_power_restored()
    {
        var marker = Path.Combine(_dir.FullName, PowerLossMarker.FileName);
        var first = await RunOnceAsync();
        Assert.Contains(first, e => e.Kind == EventKinds.DcuStarted);
        Assert.DoesNotContain(first, e => e.Kind == EventKinds.PowerRestored);
        Assert.False(File.Exists(marker), "a clean stop removes the marker");

        // Second run: what a power cut leaves behind is the marker as the run last wrote it.
        string? leftBehind = null;
        var second = await RunOnceAsync(() => leftBehind = File.ReadAllText(marker));
        Assert.DoesNotContain(second, e => e.Kind == EventKinds.PowerRestored);
        File.WriteAllText(marker, leftBehind);

        var third = await RunOnceAsync();
        var restored = Assert.Single(third, e => e.Kind == EventKinds.PowerRestored);
        Assert.Contains("did not stop cleanly", restored.Detail, StringComparison.Ordinal);
        Assert.Contains("last alive", restored.Detail, StringComparison.Ordinal);
        Assert.False(File.Exists(marker));
    }
}
