using Dcu.Testing;
using System.Collections.Concurrent;
using System.Text.Json;
using Dcu.Core.Abstractions;
using Dcu.Core.Commands;
using Dcu.Core.Commands.Handlers;
using Dcu.Core.Model;
using Dcu.Core.Outbox;
using Microsoft.Extensions.Time.Testing;

namespace Dcu.Core.Tests.Commands.Handlers;

public class TimeHandlerTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Now);

    private static CommandRequest Request(string name, string args = "{}") =>
        new("c-1", name, long.MaxValue, new CommandArgs(JsonDocument.Parse(args).RootElement.Clone()));

    [Fact]
    public async Task Get_returns_the_DCU_clock()
    {
        var outcome = await new TimeGetHandler(_time, new Clock(true)).ExecuteAsync(Request("time.get"), CancellationToken.None);
        Assert.Equal("2026-11-25T12:00:00.000Z", (string)outcome.Data!["utc"]!);
        Assert.Equal(Now.ToUnixTimeMilliseconds(), (long)outcome.Data["unixMs"]!);
        Assert.True((bool)outcome.Data["valid"]!);
    }

    [Theory]
    [InlineData("""{"utc":"2026-11-25T12:00:10Z"}""", 10_000)]
    [InlineData("""{"utc":"2026-11-25T19:59:00.500+08:00"}""", -59_500)]
    [InlineData("""{"unixMs":1795608000000}""", 0)]
    public async Task Set_steps_the_system_clock_and_reports_the_step(string args, long stepMs)
    {
        var clock = new SettableClock(Now);
        var setter = new Setter(clock);
        var handler = new TimeSetHandler(setter, clock);
        Assert.True(handler.Destructive);
        var outcome = await handler.ExecuteAsync(Request("time.set", args), CancellationToken.None);
        Assert.Equal(stepMs, (long)outcome.Data!["stepMs"]!);
        Assert.True((bool)outcome.Data["applied"]!);
        Assert.Equal(Now + TimeSpan.FromMilliseconds(stepMs), Assert.Single(setter.Set));
        Assert.Equal(Now + TimeSpan.FromMilliseconds(stepMs), clock.GetUtcNow());
        Assert.Equal(TimeText(Now + TimeSpan.FromMilliseconds(stepMs)), (string)outcome.Data["utc"]!);
    }

    [Theory]
    [InlineData("""{}""", "exactly one of args.utc")]
    [InlineData("""{"utc":"2026-11-25T12:00:00Z","unixMs":1795608000000}""", "exactly one of args.utc")]
    [InlineData("""{"utc":"2026-11-25T12:00:00"}""", "is not an ISO 8601 instant with Z or an offset")]
    [InlineData("""{"utc":"yesterday"}""", "is not an ISO 8601 instant")]
    [InlineData("""{"utc":"1970-01-01T00:00:00Z"}""", "must be within 2024..2099")]
    [InlineData("""{"unixMs":0}""", "args.unixMs must be")]
    public async Task Set_rejects_bad_times_without_touching_the_clock(string args, string reason)
    {
        var setter = new Setter(new SettableClock(Now));
        var ex = await Assert.ThrowsAsync<CommandRejectedException>(() => new TimeSetHandler(setter, _time).ExecuteAsync(Request("time.set", args), CancellationToken.None));
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
        Assert.Empty(setter.Set);
    }

    [Fact]
    public async Task Set_without_the_capability_fails_saying_so()
    {
        var setter = new Setter(new SettableClock(Now)) { Refuse = new UnauthorizedAccessException("clock_settime: EPERM") };
        var ex = await Assert.ThrowsAsync<CommandFailedException>(() => new TimeSetHandler(setter, _time).ExecuteAsync(Request("time.set", """{"unixMs":1795608000000}"""), CancellationToken.None));
        Assert.Contains("CAP_SYS_TIME", ex.Message, StringComparison.Ordinal);
        Assert.Contains("unchanged", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sync_broadcasts_then_applies_the_bands_per_meter()
    {
        var ops = new FakeMeterOperations();
        var dlt = new FakeMeterControl(_time);
        var plc = new FakeMeterControl(_time) { CanBroadcast = false };
        ops.Add("small", "rs485", dlt);
        ops.Add("medium", "rs485", dlt);
        ops.Add("large", "plc", plc);
        ops.Add("plc-medium", "plc", plc);
        ops.Add("modbus", "modbus", null);
        dlt.ClockOffsets[new MeterId("small")] = TimeSpan.FromMinutes(2);    // the broadcast fixes it
        dlt.ClockOffsets[new MeterId("medium")] = TimeSpan.FromMinutes(-7);  // beyond what a broadcast moves: written
        plc.ClockOffsets[new MeterId("large")] = TimeSpan.FromMinutes(30);   // reported, not touched
        plc.ClockOffsets[new MeterId("plc-medium")] = TimeSpan.FromMinutes(3); // no broadcast on this bus: within IgnoreBelow, left alone
        var outbox = new RecordingOutbox();

        var handler = new TimeSyncHandler(ops, () => ops.Archive, outbox, new TimeSyncOptions(), _time, new Clock(true));
        var outcome = await handler.ExecuteAsync(Request("time.sync"), CancellationToken.None);

        Assert.Equal(CommandStatus.Done, outcome.Status);
        var buses = outcome.Data!["buses"]!.AsArray().ToDictionary(b => (string)b!["bus"]!, b => (string)b!["broadcast"]!);
        Assert.Equal(new Dictionary<string, string> { ["modbus"] = "unsupported", ["plc"] = "unsupported", ["rs485"] = "sent" }, buses);
        var meters = outcome.Data["meters"]!.AsArray().ToDictionary(m => (string)m!["meter"]!, m => m!);
        Assert.Equal("none", (string)meters["small"]["action"]!);
        Assert.Equal(0, (double)meters["small"]["offsetS"]!);
        Assert.Equal("corrected", (string)meters["medium"]["action"]!);
        Assert.Equal(-420, (double)meters["medium"]["offsetS"]!);
        Assert.Equal(0, (double)meters["medium"]["offsetAfterS"]!);
        Assert.Equal("reported", (string)meters["large"]["action"]!);
        Assert.Equal(1800, (double)meters["large"]["offsetS"]!);
        Assert.Equal("none", (string)meters["plc-medium"]["action"]!);
        Assert.Equal("unsupported", (string)meters["modbus"]["action"]!);

        Assert.Equal(TimeSpan.Zero, dlt.ClockOffsets[new MeterId("medium")]);
        Assert.Equal(TimeSpan.FromMinutes(30), plc.ClockOffsets[new MeterId("large")]);
        Assert.DoesNotContain("large clock", plc.Sent);
        var e = Assert.Single(outbox.Events);
        Assert.Equal((new MeterId("large"), "meter_clock_offset"), (e.Meter!.Value, e.Kind));
        Assert.Contains("1800 s ahead of the DCU", e.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sync_is_refused_while_the_DCU_clock_is_not_valid()
    {
        var ops = new FakeMeterOperations();
        var dlt = new FakeMeterControl(_time);
        ops.Add("m1", "rs485", dlt);
        dlt.ClockOffsets[new MeterId("m1")] = TimeSpan.FromMinutes(2);
        var handler = new TimeSyncHandler(ops, () => ops.Archive, new RecordingOutbox(), new TimeSyncOptions(), _time, new Clock(false));
        await Assert.ThrowsAsync<CommandRejectedException>(() => handler.ExecuteAsync(Request("time.sync"), CancellationToken.None));
        Assert.Empty(dlt.Sent);
    }

    [Fact]
    public async Task Sync_fails_with_per_meter_data_when_a_meter_cannot_be_read()
    {
        var ops = new FakeMeterOperations();
        var dlt = new FakeMeterControl(_time);
        ops.Add("ok", "rs485", dlt);
        ops.Add("silent", "rs485", dlt);
        dlt.ClockOffsets[new MeterId("ok")] = TimeSpan.Zero;
        dlt.ClockOffsets[new MeterId("silent")] = TimeSpan.Zero;
        dlt.Refuse[new MeterId("silent")] = new TimeoutException("no reply");
        var handler = new TimeSyncHandler(ops, () => ops.Archive, new RecordingOutbox(), new TimeSyncOptions(), _time);
        var ex = await Assert.ThrowsAsync<CommandFailedException>(() => handler.ExecuteAsync(Request("time.sync", """{"meters":["silent","ok"]}"""), CancellationToken.None));
        Assert.StartsWith("1 of 2 meter clocks could not be checked", ex.Message, StringComparison.Ordinal);
        var meters = ex.ResultData!["meters"]!.AsArray();
        Assert.Equal(("silent", "failed"), ((string)meters[0]!["meter"]!, (string)meters[0]!["action"]!));
        Assert.Equal("timeout: no reply", (string)meters[0]!["reason"]!);
        Assert.Equal("none", (string)meters[1]!["action"]!);
    }

    [Fact]
    public void Bands_are_validated_naming_the_key()
    {
        Assert.Empty(new TimeSyncOptions().Validate());
        var problems = new TimeSyncOptions { IgnoreBelow = TimeSpan.FromMinutes(10), CorrectBelow = TimeSpan.FromMinutes(5) }.Validate();
        Assert.Equal("TimeSync:CorrectBelow must be at least IgnoreBelow and at most 1 day (got 00:05:00)", Assert.Single(problems));
        Assert.Contains(new TimeSyncOptions { IgnoreBelow = TimeSpan.FromMinutes(-1) }.Validate(), p => p.StartsWith("TimeSync:IgnoreBelow", StringComparison.Ordinal));
        Assert.Contains(new RelayCommandOptions { MaxMeters = 0 }.Validate(), p => p.StartsWith("Relay:MaxMeters", StringComparison.Ordinal));
    }

    private sealed class Clock(bool valid) : IClockStatus
    {
        public bool IsValid => valid;
    }

    private static string TimeText(DateTimeOffset utc) => utc.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A wall clock that can be stepped both ways, like the system clock.</summary>
    private sealed class SettableClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private sealed class Setter(SettableClock time) : ISystemClockSetter
    {
        public List<DateTimeOffset> Set { get; } = [];

        public Exception? Refuse { get; init; }

        public void SetUtc(DateTimeOffset utc)
        {
            if (Refuse is not null) throw Refuse;
            Set.Add(utc);
            time.Now = utc;
        }
    }
}
