using System.Globalization;
using Dcu.Core.Collection;
using Dcu.Core.Model;
using Dcu.Testing;
using static Dcu.Core.Tests.Collection.WorkerRig;

namespace Dcu.Core.Tests.Collection;

/// <summary>Tasks added, replaced and deleted, and meters changed, while the scheduler runs; and the meter operations it serves.</summary>
public sealed class CollectionSchedulerChangeTests
{
    private static long Ms(string hhmm) => DateTimeOffset.Parse("2026-03-01T" + hhmm + "Z", CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();

    private static readonly ObisCode Energy = ObisCode.ActiveEnergyImport;
    private static readonly ObisCode Voltage = ObisCode.VoltageL1;

    private static CollectionTask Task(string name, string interval, ObisCode quantity, string offset = "00:00:00", params string[] meters) =>
        new(name, meters.Select(m => new MeterId(m)).ToArray(), [quantity], TimeSpan.Parse(interval, CultureInfo.InvariantCulture), TimeSpan.Parse(offset, CultureInfo.InvariantCulture));

    private static CollectionOptions With(params CollectionTask[] tasks) => new()
    {
        Tasks = tasks.Select(t => new CollectionTaskOptions { Name = t.Name, Interval = t.Interval, Offset = t.Offset, Quantities = t.Quantities.Select(q => q.ToString()).ToList(), Meters = t.Meters.Select(m => m.Value).ToList() }).ToList(),
    };

    private static long[] Intervals(SchedulerRig rig, ObisCode q, string meter = "a") =>
        rig.Outbox.For(meter).Where(r => r.Obis == q).Select(r => r.IntervalUnixMs).Order().ToArray();

    [Fact]
    public async Task A_task_added_while_running_is_first_due_at_its_next_boundary()
    {
        await using var rig = new SchedulerRig(With(Task("energy", "00:15:00", Energy)), M("a"));
        await Eventually.TrueAsync(() => rig.Scheduler.Schedule()[0].NextDueUnixMs == Ms("10:15"), "energy waiting");

        rig.Scheduler.AddTask(Task("voltage", "00:05:00", Voltage));
        Assert.Throws<ArgumentException>(() => rig.Scheduler.AddTask(Task("voltage", "00:05:00", Voltage)));
        await rig.AdvanceToDueAsync(Ms("10:10"));
        await Eventually.TrueAsync(() => Intervals(rig, Voltage).Length == 1, "voltage of 10:10");
        await rig.AdvanceToDueAsync(Ms("10:15"));
        await Eventually.TrueAsync(() => Intervals(rig, Voltage).Length == 2 && Intervals(rig, Energy).Length == 1, "both at 10:15");

        Assert.Equal([Ms("10:10"), Ms("10:15")], Intervals(rig, Voltage));
        Assert.Equal([Ms("10:15")], Intervals(rig, Energy));
        Assert.Equal(["energy", "voltage"], rig.Scheduler.Tasks.Select(t => t.Name));
    }

    [Fact]
    public async Task A_replaced_task_uses_the_new_definition_from_its_next_boundary()
    {
        await using var rig = new SchedulerRig(With(Task("energy", "00:15:00", Energy)), M("a"), M("b"));
        await Eventually.TrueAsync(() => rig.Scheduler.Schedule()[0].NextDueUnixMs == Ms("10:15"), "energy waiting for 10:15");

        rig.Scheduler.ReplaceTask(Task("energy", "00:05:00", Voltage, meters: "b"));
        await rig.AdvanceToDueAsync(Ms("10:10")); // woken: the 5-minute boundary comes before the old 10:15
        await Eventually.TrueAsync(() => Intervals(rig, Voltage, "b").Length == 1, "new definition at 10:10");
        await rig.AdvanceToDueAsync(Ms("10:15"));
        await Eventually.TrueAsync(() => Intervals(rig, Voltage, "b").Length == 2, "new definition at 10:15");

        Assert.Equal([Ms("10:10"), Ms("10:15")], Intervals(rig, Voltage, "b"));
        Assert.Empty(rig.Outbox.For("a")); // the new definition names only b
        var s = Assert.Single(rig.Scheduler.Schedule());
        Assert.Equal((TimeSpan.FromMinutes(5), 2L), (s.Interval, s.JobsQueued));
        Assert.Throws<ArgumentException>(() => rig.Scheduler.ReplaceTask(Task("nope", "00:05:00", Voltage)));
    }

    [Fact]
    public async Task A_replacement_never_queues_an_interval_twice_nor_a_burst()
    {
        await using var rig = new SchedulerRig(With(Task("energy", "00:15:00", Energy)), M("a"));
        await rig.AdvanceToDueAsync(Ms("10:15"));
        await Eventually.TrueAsync(() => Intervals(rig, Energy).Length == 1, "10:15 read");
        await Eventually.TrueAsync(() => rig.Scheduler.Schedule()[0].NextDueUnixMs == Ms("10:30"), "waiting for 10:30");
        rig.Time.SetUtcNow(DateTimeOffset.FromUnixTimeMilliseconds(Ms("10:16")));

        // With a 2-minute offset the read of interval 10:15 would be due at 10:17: it was read already.
        rig.Scheduler.ReplaceTask(Task("energy", "00:15:00", Energy, offset: "00:02:00"));
        await Eventually.TrueAsync(() => rig.Scheduler.Schedule()[0].NextDueUnixMs == Ms("10:32"), "next due 10:32, not 10:17");
        await rig.AdvanceToDueAsync(Ms("10:32"));
        await Eventually.TrueAsync(() => Intervals(rig, Energy).Length == 2, "10:30 read at 10:32");

        Assert.Equal([Ms("10:15"), Ms("10:30")], Intervals(rig, Energy));
        Assert.Equal(Ms("10:32"), rig.Outbox.For("a").Max(r => r.ReadUnixMs));
        Assert.Equal(2, rig.Reader.CallsTo("a"));
    }

    [Fact]
    public async Task A_deleted_task_queues_nothing_more_and_a_readded_one_repeats_no_interval()
    {
        await using var rig = new SchedulerRig(With(Task("energy", "00:15:00", Energy), Task("voltage", "00:15:00", Voltage)), M("a"));
        await rig.AdvanceToDueAsync(Ms("10:15"));
        await Eventually.TrueAsync(() => Intervals(rig, Energy).Length == 1 && Intervals(rig, Voltage).Length == 1, "both read at 10:15");

        Assert.True(rig.Scheduler.DeleteTask("energy"));
        Assert.False(rig.Scheduler.DeleteTask("energy"));
        Assert.Equal(["voltage"], rig.Scheduler.Tasks.Select(t => t.Name));
        rig.Time.SetUtcNow(DateTimeOffset.FromUnixTimeMilliseconds(Ms("10:16")));

        // Re-added under its name with a 5-minute offset: interval 10:15 (due 10:20) was read already, so 10:30 (due 10:35) is next.
        rig.Scheduler.AddTask(Task("energy", "00:15:00", Energy, offset: "00:05:00"));
        await Eventually.TrueAsync(() => rig.Scheduler.Schedule().Any(s => s.Task == "energy" && s.NextDueUnixMs == Ms("10:35")), "re-added energy waits for 10:35");
        await rig.AdvanceToDueAsync(Ms("10:30"));
        await Eventually.TrueAsync(() => Intervals(rig, Voltage).Length == 2, "voltage at 10:30");
        await rig.AdvanceToDueAsync(Ms("10:35"));
        await Eventually.TrueAsync(() => Intervals(rig, Energy).Length == 2, "energy of 10:30 at 10:35");

        Assert.Equal([Ms("10:15"), Ms("10:30")], Intervals(rig, Energy));
        Assert.Equal(["voltage", "energy"], rig.Scheduler.Tasks.Select(t => t.Name));
    }

    [Fact]
    public async Task A_clock_that_moves_between_the_reading_and_the_timer_does_not_make_the_boundary_late()
    {
        var time = new SteppingTimeProvider(WorkerRig.Start);
        await using var rig = new SchedulerRig(time, With(Task("energy", "00:15:00", Energy)), [], M("a"));
        await Eventually.TrueAsync(() => rig.Scheduler.Schedule()[0].NextDueUnixMs == Ms("10:15"), "energy waiting for 10:15");

        // The scheduler reads 10:07 after the replacement wakes it, and the clock is at 10:15 before its timer starts:
        // a timer of 8 minutes from then would fire at 10:23.
        time.StepAfterNextRead(DateTimeOffset.FromUnixTimeMilliseconds(Ms("10:15")));
        rig.Scheduler.ReplaceTask(Task("energy", "00:15:00", Energy));
        await Eventually.TrueAsync(() => Intervals(rig, Energy).Length == 1, "10:15 read at 10:15");

        Assert.Equal(Ms("10:15"), rig.Outbox.For("a").Single().ReadUnixMs);
    }

    /// <summary>A fake clock that can be stepped just after a reading of it, as a real clock steps between two instructions.</summary>
    private sealed class SteppingTimeProvider(DateTimeOffset start) : Microsoft.Extensions.Time.Testing.FakeTimeProvider(start)
    {
        private readonly Lock _gate = new();
        private DateTimeOffset? _stepTo;

        public void StepAfterNextRead(DateTimeOffset to)
        {
            lock (_gate) _stepTo = to;
        }

        public override DateTimeOffset GetUtcNow()
        {
            var now = base.GetUtcNow();
            DateTimeOffset? to;
            lock (_gate) (to, _stepTo) = (_stepTo, null);
            if (to is { } t) SetUtcNow(t);
            return now;
        }
    }

    [Fact]
    public async Task Archive_changes_apply_from_the_next_interval()
    {
        await using var rig = new SchedulerRig(With(Task("energy", "00:15:00", Energy)), M("a"), M("b"));
        var worker = rig.Workers[0];
        await rig.AdvanceToDueAsync(Ms("10:15"));
        await Eventually.TrueAsync(() => rig.Outbox.Readings.Count == 2, "a and b at 10:15");

        worker.AddMeter(M("c"));
        Assert.True(worker.RemoveMeter(new MeterId("a")));
        await rig.AdvanceToDueAsync(Ms("10:30"));
        await Eventually.TrueAsync(() => rig.Outbox.Readings.Count == 4, "b and c at 10:30");

        Assert.Equal([Ms("10:15")], Intervals(rig, Energy, "a"));
        Assert.Equal([Ms("10:15"), Ms("10:30")], Intervals(rig, Energy, "b"));
        Assert.Equal([Ms("10:30")], Intervals(rig, Energy, "c"));
    }

    [Fact]
    public async Task Meter_operations_go_to_the_worker_of_the_meter_bus()
    {
        await using var rig = new SchedulerRig(With(), M("a"), M("c", bus: "rs485-2"));
        Dcu.Core.Abstractions.IMeterOperations ops = rig.Scheduler;

        Assert.True(ops.TryGetMeter(new MeterId("c"), out var c));
        Assert.Equal("rs485-2", c.Bus);
        Assert.False(ops.TryGetMeter(new MeterId("x"), out _));
        Assert.Equal("rs485-2/c", await ops.RunOnMeterAsync(new MeterId("c"), (m, control, ct) => System.Threading.Tasks.Task.FromResult(m.Bus + "/" + m.Id), CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => ops.RunOnMeterAsync(new MeterId("x"), (m, control, ct) => System.Threading.Tasks.Task.FromResult(1), CancellationToken.None));
        var buses = await ops.RunOnEachBusAsync((bus, control, ct) => System.Threading.Tasks.Task.FromResult(bus), CancellationToken.None);
        Assert.Equal(["rs485-1", "rs485-2"], buses.Order());
    }
}
