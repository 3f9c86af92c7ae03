using System.Text.Json;
using System.Text.Json.Nodes;
using Dcu.Core.Archive;
using Dcu.Core.Collection;
using Dcu.Core.Commands;
using Dcu.Core.Commands.Handlers;
using Dcu.Core.Tests.Archive;
using Dcu.Core.Tests.Collection;
using static Dcu.Core.Tests.Archive.ArchiveRig;

namespace Dcu.Core.Tests.Commands.Handlers;

public sealed class CollectionCommandsTests
{
    private static CommandRequest Request(string name, string args) =>
        new("c-1", name, long.MaxValue, new CommandArgs(JsonDocument.Parse(args).RootElement.Clone()));

    private static ICommandHandler Handler(ArchiveRig rig, string name) =>
        Assert.Single(CollectionCommands.Create(rig.Archive, rig.Tasks), h => h.Name == name);

    [Fact]
    public async Task Every_collection_command_has_a_handler_with_its_destructive_flag()
    {
        await using var rig = new ArchiveRig();
        var handlers = CollectionCommands.Create(rig.Archive, rig.Tasks);
        Assert.Equal(
            ["meters.add:True", "meters.list:False", "meters.remove:True", "meters.update:True", "read:False", "tasks.add:False", "tasks.delete:True", "tasks.list:False", "tasks.replace:True"],
            handlers.Select(h => $"{h.Name}:{h.Destructive}").Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Read_returns_values_per_meter_and_an_error_for_a_meter_that_failed()
    {
        await using var rig = new ArchiveRig(null, Modbus("a", "1"), Modbus("b", "2", "rs485-2"));
        rig.Rig.Reader.Script("b", FakeMeterReader.TimesOut);

        var outcome = await Handler(rig, "read").ExecuteAsync(Request("read", """{"meters":["a","b"],"quantities":["1.0.32.7.0"]}"""), CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(CommandStatus.Done, outcome.Status);
        var a = outcome.Data!["meters"]!["a"]!["values"]!.AsArray().Single()!;
        Assert.Equal(("1.0.32.7.0", "V", rig.Rig.Time.GetUtcNow().ToUnixTimeMilliseconds()), ((string)a["q"]!, (string)a["u"]!, (long)a["t"]!));
        Assert.Equal(101.0, (double)a["v"]!);
        Assert.StartsWith("timeout", (string)outcome.Data!["meters"]!["b"]!["error"]!);
        Assert.Contains(rig.Rig.Outbox.Readings, r => r.Meter.Value == "a"); // on-demand readings go upstream as well
    }

    [Theory]
    [InlineData("""{"meters":["a","ghost"]}""", "args.meters[1] 'ghost' is not in the archive")]
    [InlineData("""{"meters":["a"],"quantities":["volts"]}""", "args.quantities[0] 'volts' is not an OBIS code A.B.C.D.E")]
    [InlineData("""{"meter":["a"]}""", "args.meter is not a field of this command")]
    [InlineData("""{}""", "args.meters is required")]
    public async Task Read_refuses_bad_args_before_reading_anything(string args, string reason)
    {
        await using var rig = new ArchiveRig(null, Modbus("a", "1"));

        var ex = await Assert.ThrowsAsync<CommandRejectedException>(() => Handler(rig, "read").ExecuteAsync(Request("read", args), CancellationToken.None));

        Assert.StartsWith(reason, ex.Message);
        Assert.Empty(rig.Rig.Reader.Calls);
    }

    [Fact]
    public async Task Read_fails_when_no_meter_answered()
    {
        await using var rig = new ArchiveRig(null, Modbus("a", "1"));
        rig.Rig.Reader.Script("a", FakeMeterReader.Protocol("crc"));

        var outcome = await Handler(rig, "read").ExecuteAsync(Request("read", """{"meters":["a"]}"""), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(CommandStatus.Failed, outcome.Status);
        Assert.StartsWith("protocol:crc", (string)outcome.Data!["meters"]!["a"]!["error"]!);
    }

    [Fact]
    public async Task Tasks_are_added_listed_replaced_and_deleted_with_intervals_in_seconds()
    {
        await using var rig = new ArchiveRig(null, Modbus("a", "1"));

        var added = await Handler(rig, "tasks.add").ExecuteAsync(Request("tasks.add", """{"name":"energy","interval":900,"offset":120,"quantities":["1.0.1.8.0"],"meters":["a"]}"""), CancellationToken.None);
        Assert.Equal(CommandStatus.Done, added.Status);
        var task = rig.Rig.Scheduler.FindTask("energy")!;
        Assert.Equal((TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(2)), (task.Interval, task.Offset));

        await Handler(rig, "tasks.replace").ExecuteAsync(Request("tasks.replace", """{"name":"energy","interval":300}"""), CancellationToken.None);
        var list = await Handler(rig, "tasks.list").ExecuteAsync(Request("tasks.list", "{}"), CancellationToken.None);
        var listed = list.Data!["tasks"]!.AsArray().Single()!;
        Assert.Equal(("energy", 300L, 0L, 0), ((string)listed["name"]!, (long)listed["interval"]!, (long)listed["offset"]!, listed["meters"]!.AsArray().Count));

        await Handler(rig, "tasks.delete").ExecuteAsync(Request("tasks.delete", """{"name":"energy"}"""), CancellationToken.None);
        Assert.Empty(rig.Rig.Scheduler.Tasks);
        Assert.Empty(rig.Files.LoadTasks()!);
    }

    [Theory]
    [InlineData("""{"name":"t","interval":420}""", "args.interval must divide 24 h")]
    [InlineData("""{"name":"t","interval":"PT15M"}""", "args.interval must be an integer")]
    [InlineData("""{"name":"t","interval":900,"offset":900}""", "args.offset must be at least 0 and less than the interval")]
    [InlineData("""{"name":"t","interval":900,"meters":["ghost"]}""", "args.meters[0] 'ghost' is not in the archive")]
    [InlineData("""{"interval":900}""", "args.name is required")]
    [InlineData("""{"name":"t","interval":900,"every":1}""", "args.every is not a field of this command")]
    public async Task A_bad_task_is_refused_naming_the_field(string args, string reason)
    {
        await using var rig = new ArchiveRig(null, Modbus("a", "1"));

        var ex = await Assert.ThrowsAsync<CommandRejectedException>(() => Handler(rig, "tasks.add").ExecuteAsync(Request("tasks.add", args), CancellationToken.None));

        Assert.StartsWith(reason, ex.Message);
        Assert.Empty(rig.Rig.Scheduler.Tasks);
    }

    [Fact]
    public async Task Meters_are_added_updated_listed_and_removed_reporting_the_routeSync()
    {
        await using var rig = new ArchiveRig(null, Modbus("a", "1"));

        var added = await Handler(rig, "meters.add").ExecuteAsync(Request("meters.add",
            """{"meters":[{"id":"p1","bus":"plc-1","address":"000000000001"},{"id":"b","bus":"rs485-1","address":"2","profile":"test","turnaround":50}]}"""), CancellationToken.None);
        Assert.Equal(CommandStatus.Done, added.Status);
        var sync = added.Data!["routeSync"]!.AsArray().Single()!;
        Assert.Equal(("plc-1", true), ((string)sync["bus"]!, (bool)sync["verified"]!));
        Assert.True(rig.Rig.Scheduler.TryGetMeter(new Dcu.Core.Model.MeterId("b"), out var b));
        Assert.Equal(TimeSpan.FromMilliseconds(50), b.Turnaround);

        await Handler(rig, "meters.update").ExecuteAsync(Request("meters.update", """{"meters":[{"id":"b","bus":"rs485-1","address":"3","profile":"test"}]}"""), CancellationToken.None);
        var list = await Handler(rig, "meters.list").ExecuteAsync(Request("meters.list", "{}"), CancellationToken.None);
        Assert.Equal(["a:1", "p1:000000000001", "b:3"], list.Data!["meters"]!.AsArray().Select(m => $"{m!["id"]}:{m["address"]}"));

        rig.Sync.Fail = new TimeoutException("module busy");
        var removed = await Handler(rig, "meters.remove").ExecuteAsync(Request("meters.remove", """{"meters":["p1","b"]}"""), CancellationToken.None);
        var failed = removed.Data!["routeSync"]!.AsArray().Single()!;
        Assert.Equal((false, "module busy", 60L), ((bool)failed["verified"]!, (string)failed["error"]!, (long)failed["retryIn"]!));
        Assert.Equal(["a"], rig.Files.LoadMeters()!.Select(m => m.Id));
    }

    [Theory]
    [InlineData("""{"meters":[{"id":"x","bus":"rs485-1","address":"2","profile":"test"},{"id":"y","bus":"rs485-1","address":"999","profile":"test"}]}""", "args.meters[1].address '999' must be a Modbus unit id 1..247")]
    [InlineData("""{"meters":[{"id":"x","bus":"rs485-1","address":"2","profile":"test"},{"id":"y","bus":"rs485-1"}]}""", "args.meters[1].address is required")]
    [InlineData("""{"meters":[{"id":"x","bus":"rs485-1","address":"2","profil":"test"}]}""", "args.meters[0].profil is not a field of this command")]
    [InlineData("""{"meters":[{"id":"x","bus":"rs485-1","address":"2","profile":"test","turnaround":20000}]}""", "args.meters[0].turnaround must be 0..10000")]
    [InlineData("""{"meters":["x"]}""", "args.meters[0] must be an object")]
    [InlineData("""{"meters":[]}""", "args.meters must not be empty")]
    [InlineData("""{"meters":[{"id":"x","bus":"plc-1","address":"1"}]}""", "args.meters[0].address '1' must be 12 digits")]
    public async Task A_bad_meter_is_refused_naming_the_field_and_nothing_is_added(string args, string reason)
    {
        await using var rig = new ArchiveRig(null, Modbus("a", "1"));

        var ex = await Assert.ThrowsAsync<CommandRejectedException>(() => Handler(rig, "meters.add").ExecuteAsync(Request("meters.add", args), CancellationToken.None));

        Assert.StartsWith(reason, ex.Message);
        Assert.Equal(["a"], rig.Archive.Entries.Select(e => e.Id));
        Assert.False(rig.Rig.Scheduler.TryGetMeter(new Dcu.Core.Model.MeterId("x"), out _));
        Assert.False(File.Exists(rig.Files.MetersPath));
    }

    [Fact]
    public async Task A_save_that_fails_is_a_failure_saying_nothing_changed()
    {
        await using var rig = new ArchiveRig(null, Modbus("a", "1"));
        Directory.CreateDirectory(rig.Files.MetersPath + ".tmp");

        var ex = await Assert.ThrowsAsync<CommandFailedException>(() => Handler(rig, "meters.remove").ExecuteAsync(Request("meters.remove", """{"meters":["a"]}"""), CancellationToken.None));

        Assert.StartsWith("could not save the change, nothing was changed", ex.Message);
        Assert.True(rig.Rig.Scheduler.TryGetMeter(new Dcu.Core.Model.MeterId("a"), out _));
    }
}
