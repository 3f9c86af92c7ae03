using System.Text.Json;
using System.Text.Json.Nodes;
using Dcu.Core.Abstractions;
using Dcu.Core.Commands;
using Dcu.Core.Commands.Handlers;
using Dcu.Core.Model;
using Microsoft.Extensions.Time.Testing;

namespace Dcu.Core.Tests.Commands.Handlers;

public class RelayHandlerTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
    private readonly FakeMeterOperations _ops = new();
    private readonly FakeMeterControl _bus1;
    private readonly FakeMeterControl _bus2;

    public RelayHandlerTests()
    {
        _bus1 = new FakeMeterControl(_time);
        _bus2 = new FakeMeterControl(_time);
        foreach (var (id, bus) in new[] { ("m1", _bus1), ("m2", _bus1), ("m3", _bus2) })
        {
            _ops.Add(id, id == "m3" ? "bus-2" : "bus-1", bus);
            bus.WithRelay.Add(new MeterId(id));
        }
        _ops.Add("modbus-1", "bus-3", null);
        _ops.Add("norelay", "bus-1", _bus1);
    }

    private static CommandRequest Request(string name, string args) =>
        new("c-1", name, long.MaxValue, new CommandArgs(JsonDocument.Parse(args).RootElement.Clone()));

    private RelayHandler Disconnect(int max = 100) => RelayHandler.Disconnect(_ops, new RelayCommandOptions { MaxMeters = max, ReadBackDelay = TimeSpan.Zero }, _time);

    [Fact]
    public async Task Disconnect_sends_the_command_and_reports_the_read_back_per_meter()
    {
        var handler = Disconnect();
        Assert.Equal("relay.disconnect", handler.Name);
        Assert.True(handler.Destructive);
        var outcome = await handler.ExecuteAsync(Request("relay.disconnect", """{"meters":["m1","m3"]}"""), CancellationToken.None);

        Assert.Equal(CommandStatus.Done, outcome.Status);
        var meters = outcome.Data!["meters"]!.AsArray();
        Assert.Equal(["m1", "m3"], meters.Select(m => (string)m!["meter"]!));
        Assert.All(meters, m => Assert.Equal("disconnected", (string)m!["readBack"]!));
        Assert.All(meters, m => Assert.Equal("ok", (string)m!["status"]!));
        Assert.Equal(RelayState.Disconnected, _bus1.Relays[new MeterId("m1")]);
        Assert.Equal(RelayState.Disconnected, _bus2.Relays[new MeterId("m3")]);
        Assert.False(_bus1.Relays.ContainsKey(new MeterId("m2")));

        var connect = RelayHandler.Connect(_ops, new RelayCommandOptions { ReadBackDelay = TimeSpan.Zero }, _time);
        var back = await connect.ExecuteAsync(Request("relay.connect", """{"meters":["m1"]}"""), CancellationToken.None);
        Assert.Equal("connected", (string)back.Data!["meters"]![0]!["readBack"]!);
    }

    [Fact]
    public async Task State_reads_without_sending_a_command_and_is_not_destructive()
    {
        _bus1.Relays[new MeterId("m2")] = RelayState.Disconnected;
        var handler = RelayHandler.State(_ops);
        Assert.False(handler.Destructive);
        var outcome = await handler.ExecuteAsync(Request("relay.state", """{"meters":["m1","m2"]}"""), CancellationToken.None);
        Assert.Equal(["connected", "disconnected"], outcome.Data!["meters"]!.AsArray().Select(m => (string)m!["readBack"]!));
        Assert.Empty(_bus1.Sent);
    }

    [Theory]
    [InlineData("""{"meters":["m1","ghost"]}""", "args.meters[1] 'ghost' is not in the meter archive")]
    [InlineData("""{"meters":["m1","m1"]}""", "args.meters[1] 'm1' is listed twice")]
    [InlineData("""{"meters":[]}""", "args.meters must not be empty")]
    [InlineData("""{}""", "args.meters is required (an array of strings)")]
    [InlineData("""{"meters":["m1"],"force":true}""", "args.force is not a field of this command (known: meters)")]
    [InlineData("""{"meters":["m1","m2","m3"]}""", "args.meters has 3 entries, at most 2 allowed")]
    public async Task Bad_arguments_are_rejected_before_any_meter_is_touched(string args, string reason)
    {
        var ex = await Assert.ThrowsAsync<CommandRejectedException>(() => Disconnect(max: 2).ExecuteAsync(Request("relay.disconnect", args), CancellationToken.None));
        Assert.Equal(reason, ex.Message);
        Assert.Equal(0, _ops.Jobs);
        Assert.Empty(_bus1.Sent);
    }

    [Fact]
    public async Task A_meter_without_a_relay_rejects_the_whole_command_and_nothing_is_sent()
    {
        var ex = await Assert.ThrowsAsync<CommandRejectedException>(() =>
            Disconnect().ExecuteAsync(Request("relay.disconnect", """{"meters":["m1","norelay","modbus-1","m3"]}"""), CancellationToken.None));
        Assert.Contains("norelay, modbus-1", ex.Message, StringComparison.Ordinal);
        Assert.Contains("nothing was sent", ex.Message, StringComparison.Ordinal);
        Assert.Empty(_bus1.Sent);
        Assert.Empty(_bus2.Sent);
        Assert.False(_bus1.Relays.ContainsKey(new MeterId("m1")));
    }

    [Fact]
    public async Task A_read_back_that_disagrees_fails_the_command_with_per_meter_data()
    {
        _bus1.Stuck.Add(new MeterId("m2"));
        var options = new RelayCommandOptions { ReadBackDelay = TimeSpan.FromSeconds(2), ReadBackAttempts = 3 };
        var run = RelayHandler.Disconnect(_ops, options, _time).ExecuteAsync(Request("relay.disconnect", """{"meters":["m1","m2"]}"""), CancellationToken.None);
        // The stuck meter is read back three times, 2 s apart, before it counts as disagreeing.
        while (!run.IsCompleted)
        {
            await Task.Yield();
            _time.Advance(TimeSpan.FromSeconds(1));
        }
        var ex = await Assert.ThrowsAsync<CommandFailedException>(() => run);
        Assert.StartsWith("1 of 2 meters failed: m2 read-back connected, ordered disconnected", ex.Message, StringComparison.Ordinal);
        var meters = ex.ResultData!["meters"]!.AsArray();
        Assert.Equal(("ok", "disconnected"), ((string)meters[0]!["status"]!, (string)meters[0]!["readBack"]!));
        Assert.Equal(("failed", "connected"), ((string)meters[1]!["status"]!, (string)meters[1]!["readBack"]!));
    }

    [Fact]
    public async Task A_meter_that_refuses_is_a_failed_entry_with_the_protocol_reason()
    {
        _bus2.Refuse[new MeterId("m3")] = new MeterProtocolException("dlt645_unauthorized", "Meter 000000000001 answered Control with error word 04: password wrong or not authorised");
        var ex = await Assert.ThrowsAsync<CommandFailedException>(() => Disconnect().ExecuteAsync(Request("relay.disconnect", """{"meters":["m1","m3"]}"""), CancellationToken.None));
        var m3 = ex.ResultData!["meters"]!.AsArray().Single(m => (string)m!["meter"]! == "m3")!;
        Assert.Equal("failed", (string)m3["status"]!);
        Assert.StartsWith("dlt645_unauthorized", (string)m3["reason"]!, StringComparison.Ordinal);
        Assert.Equal(RelayState.Disconnected, _bus1.Relays[new MeterId("m1")]); // the others were still carried out
    }
}
