using Dcu.Core.Archive;
using Dcu.Core.Collection;
using Dcu.Core.Model;
using Dcu.Testing;
using static Dcu.Core.Tests.Archive.ArchiveRig;

namespace Dcu.Core.Tests.Archive;

public sealed class MeterArchiveTests
{
    private static readonly long Interval = new DateTimeOffset(2026, 3, 1, 10, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    [Fact]
    public async Task Added_meters_are_on_their_bus_worker_persisted_and_their_bus_copy_synced()
    {
        await using var rig = new ArchiveRig(null, Modbus("a", "1"), Plc("p1", "000000000001"));

        var result = await rig.Archive.AddAsync([Modbus("b", "2", "rs485-2"), Plc("p2", "000000000002")], "args.meters", CancellationToken.None);

        Assert.Equal(["b", "p2"], result.Meters);
        Assert.True(rig.Worker("rs485-2").TryGetMeter(new MeterId("b"), out var b));
        Assert.Equal(MeterProtocol.ModbusRtu, b.Protocol);
        Assert.True(rig.Worker("plc-1").TryGetMeter(new MeterId("p2"), out var p2));
        Assert.Equal(MeterProtocol.Plc, p2.Protocol);
        Assert.Equal(["a", "p1", "b", "p2"], rig.Files.LoadMeters()!.Select(m => m.Id));
        var sync = Assert.Single(result.Syncs);
        Assert.Equal(new BusSyncResult("plc-1", true), sync);
        Assert.Equal(["000000000001", "000000000002"], Assert.Single(rig.Sync.Syncs));
        Assert.StartsWith("+b@", rig.Observer.Seen.First());

        var read = await rig.Rig.Scheduler.RequestOnDemandAsync(new MeterId("b"), null, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.NotEmpty(read);
    }

    [Fact]
    public async Task An_update_changes_the_entry_in_place_and_a_bus_change_moves_the_meter()
    {
        await using var rig = new ArchiveRig(null, Modbus("a", "1"), Modbus("b", "2"));

        await rig.Archive.UpdateAsync([Modbus("a", "9"), Modbus("b", "2", "rs485-2")], "args.meters", CancellationToken.None);

        Assert.True(rig.Worker("rs485-1").TryGetMeter(new MeterId("a"), out var a));
        Assert.Equal("9", a.Address);
        Assert.False(rig.Worker("rs485-1").TryGetMeter(new MeterId("b"), out _));
        Assert.True(rig.Worker("rs485-2").TryGetMeter(new MeterId("b"), out _));
        Assert.Equal(["a", "b"], rig.Archive.Entries.Select(e => e.Id)); // archive order kept
        Assert.Equal(["9", "2"], rig.Files.LoadMeters()!.Select(e => e.Address));
        Assert.Empty(rig.Sync.Syncs); // no PLC meter touched
    }

    [Fact]
    public async Task Removed_meters_leave_their_worker_the_file_and_the_observer()
    {
        await using var rig = new ArchiveRig(null, Modbus("a", "1"), Plc("p1", "000000000001"), Plc("p2", "000000000002"));

        var result = await rig.Archive.RemoveAsync(["a", "p1"], "args.meters", CancellationToken.None);

        Assert.False(rig.Rig.Scheduler.TryGetMeter(new MeterId("a"), out _));
        Assert.False(rig.Rig.Scheduler.TryGetMeter(new MeterId("p1"), out _));
        Assert.Equal(["p2"], rig.Files.LoadMeters()!.Select(m => m.Id));
        Assert.Equal(["000000000002"], Assert.Single(rig.Sync.Syncs));
        Assert.True(Assert.Single(result.Syncs).Verified);
        Assert.Equal(["-a", "-p1"], rig.Observer.Seen);
    }

    [Fact]
    public async Task Every_problem_is_named_and_nothing_is_applied()
    {
        await using var rig = new ArchiveRig(null, Modbus("a", "1"), Plc("p1", "000000000001"));
        MeterEntry[] bad =
        [
            Modbus("ok", "3"),                          // fine on its own, but the change is refused whole
            Modbus("a", "4"),                           // already in the archive
            Modbus("x", "300"),                         // address out of range
            new() { Id = "y", Bus = "rs485-9", Address = "1" }, // no such bus
            Modbus("z", "1"),                           // address of "a"
            Plc("q", "12345"),                          // not 12 digits
            Modbus("ok", "5"),                          // listed twice
            new() { Id = "", Bus = "rs485-1", Address = "6", Profile = "test" },
        ];

        var ex = await Assert.ThrowsAsync<CollectionChangeRejectedException>(() => rig.Archive.AddAsync(bad, "args.meters", CancellationToken.None));

        Assert.Contains(ex.Problems, p => p.StartsWith("args.meters[1].id 'a' is already in the archive", StringComparison.Ordinal));
        Assert.Contains(ex.Problems, p => p.StartsWith("args.meters[2].address '300'", StringComparison.Ordinal));
        Assert.Contains(ex.Problems, p => p.StartsWith("args.meters[3].bus 'rs485-9'", StringComparison.Ordinal));
        Assert.Contains(ex.Problems, p => p.StartsWith("args.meters[4].address 1 is used by meter 'a'", StringComparison.Ordinal));
        Assert.Contains(ex.Problems, p => p.StartsWith("args.meters[5].address '12345'", StringComparison.Ordinal));
        Assert.Contains(ex.Problems, p => p.StartsWith("args.meters[6].id 'ok' is listed twice", StringComparison.Ordinal));
        Assert.Contains(ex.Problems, p => p.StartsWith("args.meters[7].id is required", StringComparison.Ordinal));
        Assert.Equal(7, ex.Problems.Count);
        Assert.False(rig.Rig.Scheduler.TryGetMeter(new MeterId("ok"), out _));
        Assert.Equal(["a", "p1"], rig.Archive.Entries.Select(e => e.Id));
        Assert.False(File.Exists(rig.Files.MetersPath));
        Assert.Empty(rig.Sync.Syncs);
        Assert.Empty(rig.Observer.Seen);

        var update = await Assert.ThrowsAsync<CollectionChangeRejectedException>(() => rig.Archive.UpdateAsync([Modbus("a", "2"), Modbus("nope", "3")], "args.meters", CancellationToken.None));
        Assert.Equal(["args.meters[1].id 'nope' is not in the archive (meters.add adds it)"], update.Problems);
        Assert.True(rig.Worker("rs485-1").TryGetMeter(new MeterId("a"), out var a));
        Assert.Equal("1", a.Address);

        var remove = await Assert.ThrowsAsync<CollectionChangeRejectedException>(() => rig.Archive.RemoveAsync(["a", "nope"], "args.meters", CancellationToken.None));
        Assert.Equal(["args.meters[1] 'nope' is not in the archive"], remove.Problems);
        Assert.True(rig.Rig.Scheduler.TryGetMeter(new MeterId("a"), out _));
    }

    [Fact]
    public async Task A_meter_named_by_a_task_is_not_removed()
    {
        var options = new CollectionOptions { Tasks = [new() { Name = "billing", Interval = TimeSpan.FromDays(1), Meters = ["a"] }] };
        await using var rig = new ArchiveRig(options, Modbus("a", "1"));

        var ex = await Assert.ThrowsAsync<CollectionChangeRejectedException>(() => rig.Archive.RemoveAsync(["a"], "args.meters", CancellationToken.None));

        Assert.Equal(["args.meters[0] 'a' is named by task 'billing': take it out of the task first"], ex.Problems);
        Assert.True(rig.Rig.Scheduler.TryGetMeter(new MeterId("a"), out _));
    }

    [Fact]
    public async Task A_failed_save_applies_nothing()
    {
        await using var rig = new ArchiveRig(null, Modbus("a", "1"));
        Directory.CreateDirectory(rig.Files.MetersPath + ".tmp");

        await Assert.ThrowsAnyAsync<Exception>(() => rig.Archive.AddAsync([Modbus("b", "2")], "args.meters", CancellationToken.None));

        Assert.False(rig.Rig.Scheduler.TryGetMeter(new MeterId("b"), out _));
        Assert.Equal(["a"], rig.Archive.Entries.Select(e => e.Id));
    }

    [Fact]
    public async Task A_failed_bus_sync_is_reported_and_retried_until_it_verifies()
    {
        await using var rig = new ArchiveRig(null, Plc("p1", "000000000001"));
        using var stop = new CancellationTokenSource();
        var run = rig.Archive.RunAsync(stop.Token);
        rig.Sync.Fail = new TimeoutException("module did not answer");

        var result = await rig.Archive.AddAsync([Plc("p2", "000000000002")], "args.meters", CancellationToken.None);

        Assert.Equal(new BusSyncResult("plc-1", false, "module did not answer", rig.Archive.SyncRetryInterval), Assert.Single(result.Syncs));
        Assert.True(rig.Rig.Scheduler.TryGetMeter(new MeterId("p2"), out _)); // the change stands
        Assert.Equal(["plc-1"], rig.Archive.PendingSyncs);

        rig.Rig.Time.Advance(rig.Archive.SyncRetryInterval);
        await Eventually.TrueAsync(() => rig.Sync.Syncs.Count == 2, "first retry");
        Assert.Equal(["plc-1"], rig.Archive.PendingSyncs);
        rig.Sync.Fail = null;
        rig.Rig.Time.Advance(rig.Archive.SyncRetryInterval);
        await Eventually.TrueAsync(() => rig.Archive.PendingSyncs.Count == 0, "second retry verified");
        Assert.Equal(["000000000001", "000000000002"], rig.Sync.Syncs.Last());

        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
