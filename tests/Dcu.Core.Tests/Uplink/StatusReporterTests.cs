using System.Text.Json;
using Dcu.Core.Abstractions;
using Dcu.Core.Outbox;
using Dcu.Core.Tests.Outbox;
using Dcu.Core.Uplink;
using Dcu.Testing;
using Microsoft.Extensions.Time.Testing;
using static Dcu.Core.Tests.Outbox.OutboxTestData;

namespace Dcu.Core.Tests.Uplink;

public sealed class StatusReporterTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Publishes_retained_status_at_start_and_every_heartbeat()
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(T0 + 3_600_000));
        await using var outbox = new ReadingOutbox(new OutboxOptions { Path = _dir.File("o.db") }, time);
        await outbox.AppendAsync(Reading(0), default);
        await outbox.AppendAsync(Event(0), default);
        await outbox.FlushAsync(default);
        var uplink = new FakeUplink();
        var bus = new Dictionary<string, long> { ["rs485-1"] = 3, ["plc"] = 0 };
        var reporter = new StatusReporter(uplink, new Topics("d1"), outbox,
            () => new PublishStats(2, 1000, 1, 0, 12.5), () => bus,
            new StatusReporterOptions { HeartbeatInterval = TimeSpan.FromSeconds(60), Version = "1.2.3" }, time);
        using var cts = new CancellationTokenSource();
        var run = reporter.RunAsync(cts.Token);

        await Eventually.TrueAsync(() => uplink.Log.Count == 1, "status at start");
        var first = uplink.Log.Single();
        Assert.Equal("dcu/d1/status", first.Message.Topic);
        Assert.True(first.Message.Retain);
        using (var doc = JsonDocument.Parse(first.Message.Payload))
        {
            var s = doc.RootElement;
            Assert.Equal("online", s.GetProperty("state").GetString());
            Assert.Equal("1.2.3", s.GetProperty("version").GetString());
            Assert.Equal(1, s.GetProperty("outbox").GetProperty("readings").GetInt64());
            Assert.Equal(1, s.GetProperty("outbox").GetProperty("events").GetInt64());
            Assert.Equal(3_600, s.GetProperty("outbox").GetProperty("oldestAgeS").GetInt64()); // Event(0) happened at T0
            Assert.Equal(0, s.GetProperty("outbox").GetProperty("evicted").GetInt64());
            Assert.Equal(12.5, s.GetProperty("uplink").GetProperty("readingsPerS").GetDouble());
            Assert.Equal(3, s.GetProperty("busErrors").GetProperty("rs485-1").GetInt64());
        }

        time.Advance(TimeSpan.FromSeconds(60));
        await Eventually.TrueAsync(() => uplink.Log.Count == 2, "heartbeat");
        using (var doc = JsonDocument.Parse(uplink.Log.Last().Message.Payload))
        {
            Assert.Equal(60, doc.RootElement.GetProperty("uptimeS").GetInt64());
        }
        await cts.CancelAsync();
        await run;
    }

    [Fact]
    public async Task A_new_heartbeat_interval_takes_effect_on_the_running_reporter()
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(T0));
        await using var outbox = new ReadingOutbox(new OutboxOptions { Path = _dir.File("o.db") }, time);
        var uplink = new FakeUplink();
        var reporter = new StatusReporter(uplink, new Topics("d1"), outbox, options: new StatusReporterOptions { HeartbeatInterval = TimeSpan.FromSeconds(60) }, timeProvider: time);
        using var cts = new CancellationTokenSource();
        var run = reporter.RunAsync(cts.Token);
        await Eventually.TrueAsync(() => uplink.Log.Count == 1, "status at start");

        reporter.HeartbeatInterval = TimeSpan.FromSeconds(10); // config.set Dcu:HeartbeatInterval
        time.Advance(TimeSpan.FromSeconds(10));
        await Eventually.TrueAsync(() => uplink.Log.Count == 2, "heartbeat after the new 10 s");
        time.Advance(TimeSpan.FromSeconds(10));
        await Eventually.TrueAsync(() => uplink.Log.Count == 3, "and every 10 s after");

        Assert.Equal(TimeSpan.FromSeconds(10), reporter.HeartbeatInterval);
        await cts.CancelAsync();
        await run;
    }

    private sealed class FixedSignal(LinkSignal? signal) : Dcu.Core.Abstractions.ILinkSignal
    {
        public LinkSignal? Read() => signal;
    }

    private static byte[] Status(StatusReporterOptions options, ReadingOutbox outbox) =>
        new StatusReporter(new FakeUplink(), new Topics("d1"), outbox, options: options).BuildStatus();

    [Fact]
    public async Task Reports_link_type_interface_and_signal()
    {
        await using var outbox = new ReadingOutbox(new OutboxOptions { Path = _dir.File("l.db") });
        var link = new StatusReporterLink("cellular", "wwan0");
        var payload = Status(new StatusReporterOptions { Link = () => link, Signal = new FixedSignal(new LinkSignal(-71, 60)) }, outbox);
        using (var doc = JsonDocument.Parse(payload))
        {
            var l = doc.RootElement.GetProperty("link");
            Assert.Equal("cellular", l.GetProperty("type").GetString());
            Assert.Equal("wwan0", l.GetProperty("interface").GetString());
            Assert.Equal(-71, l.GetProperty("signalDbm").GetInt32());
            Assert.Equal(60, l.GetProperty("signalQuality").GetInt32());
            Assert.Equal(0, doc.RootElement.GetProperty("outbox").GetProperty("readings").GetInt32());
        }

        // No modem: the signal is null, not made up; a probe that fails reports "unknown" and keeps the heartbeat.
        payload = Status(new StatusReporterOptions { Link = () => new StatusReporterLink("ethernet", "eth0"), Signal = new FixedSignal(null) }, outbox);
        using (var doc = JsonDocument.Parse(payload))
        {
            var l = doc.RootElement.GetProperty("link");
            Assert.Equal("ethernet", l.GetProperty("type").GetString());
            Assert.Equal(JsonValueKind.Null, l.GetProperty("signalDbm").ValueKind);
            Assert.Equal(JsonValueKind.Null, l.GetProperty("signalQuality").ValueKind);
        }
        payload = Status(new StatusReporterOptions { Link = () => throw new IOException("no /proc") }, outbox);
        using (var doc = JsonDocument.Parse(payload))
        {
            Assert.Equal("unknown", doc.RootElement.GetProperty("link").GetProperty("type").GetString());
            Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("link").GetProperty("interface").ValueKind);
        }
        using (var doc = JsonDocument.Parse(Status(new StatusReporterOptions(), outbox)))
            Assert.False(doc.RootElement.TryGetProperty("link", out _));
    }
}
