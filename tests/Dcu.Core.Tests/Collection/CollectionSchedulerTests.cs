using System.Globalization;
using Dcu.Core.Collection;
using Dcu.Core.Model;
using Dcu.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using static Dcu.Core.Tests.Collection.WorkerRig;

namespace Dcu.Core.Tests.Collection;

public sealed class CollectionSchedulerTests
{
    private static long Ms(string hhmm) => DateTimeOffset.Parse("2026-03-01T" + hhmm + "Z", CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();

    private static long Done(BusWorker w)
    {
        var c = w.Counters();
        return c.JobsCompleted + c.JobsFailed + c.JobsSkippedOffline + c.JobsSuperseded + c.JobsCancelled;
    }

    private static CollectionOptions Options(string interval = "00:15:00", string offset = "00:00:00", params string[] meters) => new()
    {
        Tasks = [new() { Name = "energy", Interval = TimeSpan.Parse(interval, CultureInfo.InvariantCulture), Offset = TimeSpan.Parse(offset, CultureInfo.InvariantCulture), Quantities = ["1.0.1.8.0"], Meters = [.. meters] }],
    };

    [Fact]
    public async Task Jobs_are_queued_at_each_aligned_boundary_and_stamped_with_it()
    {
        await using var rig = new SchedulerRig(Options(), M("a"), M("b"), M("c", bus: "rs485-2"));
        string[] boundaries = ["10:15", "10:30", "10:45", "11:00"];

        for (var k = 0; k < boundaries.Length; k++)
        {
            var due = Ms(boundaries[k]);
            await rig.AdvanceToDueAsync(due);
            await Eventually.TrueAsync(() => rig.Outbox.Readings.Count == 3 * (k + 1), $"readings of {boundaries[k]}");
            Assert.All(rig.Outbox.Readings.Where(r => r.IntervalUnixMs == due), r =>
            {
                Assert.Equal(due, r.ReadUnixMs);
                Assert.Equal(ObisCode.ActiveEnergyImport, r.Obis);
                Assert.Equal(ReadingQuality.Good, r.Quality);
            });
        }

        foreach (var m in new[] { "a", "b", "c" })
            Assert.Equal(boundaries.Select(Ms), rig.Intervals(m));
        var s = Assert.Single(rig.Scheduler.Schedule());
        Assert.Equal((12L, Ms("11:00"), Ms("11:15")), (s.JobsQueued, s.LastIntervalUnixMs, s.NextDueUnixMs));
    }

    [Fact]
    public async Task An_offset_delays_the_read_but_not_the_interval_timestamp()
    {
        await using var rig = new SchedulerRig(Options(offset: "00:02:00"), M("a"));

        await rig.AdvanceToDueAsync(Ms("10:17"));
        await Eventually.TrueAsync(() => rig.Outbox.Readings.Count == 1, "reading");

        var r = Assert.Single(rig.Outbox.Readings);
        Assert.Equal((Ms("10:15"), Ms("10:17"), ReadingQuality.Good), (r.IntervalUnixMs, r.ReadUnixMs, r.Quality));
    }

    [Fact]
    public async Task A_task_reads_only_its_meters()
    {
        await using var rig = new SchedulerRig(Options(meters: ["b", "not-in-archive"]), M("a"), M("b"));

        await rig.AdvanceToDueAsync(Ms("10:15"));
        await Eventually.TrueAsync(() => rig.Outbox.Readings.Count == 1, "reading");

        Assert.Equal("b", Assert.Single(rig.Outbox.Readings).Meter.Value);
        Assert.Equal(0, rig.Reader.CallsTo("a"));
    }

    [Fact]
    public async Task A_dead_meter_does_not_stall_the_others_on_its_bus()
    {
        await using var rig = new SchedulerRig(Options(interval: "00:01:00"), M("a"), M("dead"), M("c"));
        rig.Reader.Script("dead", FakeMeterReader.TimesOut);
        var worker = Assert.Single(rig.Workers);
        var due = Ms("10:08");

        for (var k = 1; k <= 12; k++, due += 60_000)
        {
            await rig.AdvanceToDueAsync(due);
            await Eventually.TrueAsync(() => Done(worker) == 3 * k, $"round {k} done");
        }

        var expected = Enumerable.Range(0, 12).Select(i => Ms("10:08") + i * 60_000L).ToArray();
        Assert.Equal(expected, rig.Intervals("a"));
        Assert.Equal(expected, rig.Intervals("c"));
        Assert.Equal(3 * 2 + 2, rig.Reader.CallsTo("dead")); // 3 jobs with a retry, then offline: the 4th and 8th of 9 due jobs
        var e = Assert.Single(rig.Outbox.Events);
        Assert.Equal(EventKinds.MeterOffline, e.Kind);
        Assert.Equal(Ms("10:10"), e.UnixMs);
        var health = rig.Scheduler.Health().ToDictionary(h => h.Meter.Value);
        Assert.False(health["dead"].Online);
        Assert.True(health["a"].Online);
        Assert.Equal(8, rig.Scheduler.Counters().Single().Timeouts);
    }

    [Fact]
    public async Task A_clock_stepped_forward_reads_the_latest_interval_once()
    {
        await using var rig = new SchedulerRig(Options(), M("a"));
        await Eventually.TrueAsync(() => rig.Scheduler.Schedule()[0].NextDueUnixMs == Ms("10:15"), "armed");

        rig.Time.SetUtcNow(DateTimeOffset.FromUnixTimeMilliseconds(Ms("14:07"))); // e.g. NTP after a cold boot
        await Eventually.TrueAsync(() => rig.Outbox.Readings.Count == 1, "reading after the step");
        await rig.AdvanceToDueAsync(Ms("14:15"));
        await Eventually.TrueAsync(() => rig.Outbox.Readings.Count == 2, "next boundary");

        Assert.Equal([Ms("14:00"), Ms("14:15")], rig.Intervals("a"));
        var first = rig.Outbox.Readings.First();
        Assert.Equal((Ms("14:07"), ReadingQuality.Good), (first.ReadUnixMs, first.Quality));
    }

    [Fact]
    public async Task A_backlog_is_superseded_by_the_next_interval_not_read_late()
    {
        var options = Options();
        options.RequestTimeout = TimeSpan.FromHours(1); // the fake reader below never times out by itself
        await using var rig = new SchedulerRig(options, M("a"), M("b"));
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        rig.Reader.Script("a", async (call, q, ct) =>
        {
            if (call == 1) await gate.Task.WaitAsync(ct);
            return FakeMeterReader.Values(q, call);
        });

        await rig.AdvanceToDueAsync(Ms("10:15"));
        await Eventually.TrueAsync(() => rig.Reader.Calls.Count == 1, "a stuck on the bus");
        await rig.AdvanceToDueAsync(Ms("10:30"));
        await Eventually.TrueAsync(() => rig.Workers[0].Counters().QueuedScheduled == 3, "10:30 jobs queued");
        gate.SetResult();
        await Eventually.TrueAsync(() => Done(rig.Workers[0]) == 4, "all jobs done");

        Assert.Equal([Ms("10:15"), Ms("10:30")], rig.Intervals("a"));
        Assert.Equal([Ms("10:30")], rig.Intervals("b"));
        Assert.Equal(1, rig.Workers[0].Counters().JobsSuperseded);
        var late = rig.Outbox.For("a").Where(r => r.IntervalUnixMs == Ms("10:15"));
        Assert.All(late, r => Assert.Equal(ReadingQuality.Late, r.Quality)); // read at 10:30, past its deadline
    }

    [Fact]
    public async Task On_demand_goes_to_the_worker_of_the_meter_bus()
    {
        await using var rig = new SchedulerRig(Options(), M("a"), M("c", bus: "rs485-2"));

        var readings = await rig.Scheduler.RequestOnDemandAsync(new MeterId("c"), [ObisCode.VoltageL1], CancellationToken.None);

        Assert.Equal(ObisCode.VoltageL1, Assert.Single(readings).Obis);
        Assert.Equal(1, rig.Workers.Single(w => w.Bus == "rs485-2").Counters().JobsCompleted);
        await Assert.ThrowsAsync<ArgumentException>(() => rig.Scheduler.RequestOnDemandAsync(new MeterId("zz"), null, CancellationToken.None));
    }

    [Fact]
    public async Task Readings_are_flagged_while_the_clock_is_invalid()
    {
        await using var rig = new SchedulerRig(Options(), M("a"));
        rig.Clock.IsValid = false;

        await rig.AdvanceToDueAsync(Ms("10:15"));
        await Eventually.TrueAsync(() => rig.Outbox.Readings.Count == 1, "reading");

        Assert.Equal(ReadingQuality.ClockInvalid, Assert.Single(rig.Outbox.Readings).Quality);
    }

    [Fact]
    public async Task Buses_are_handed_their_jobs_a_stagger_apart()
    {
        var options = Options();
        options.BusStagger = TimeSpan.FromMilliseconds(100);
        await using var rig = new SchedulerRig(options, M("a"), M("c", bus: "rs485-2"));

        await rig.AdvanceToDueAsync(Ms("10:15"));
        await Eventually.TrueAsync(() => rig.Outbox.For("a").Count == 1, "first bus read");
        while (rig.Outbox.For("c").Count == 0)
        {
            Assert.True(rig.Time.GetUtcNow().ToUnixTimeMilliseconds() < Ms("10:15") + 5_000, "second bus never read");
            rig.Time.Advance(TimeSpan.FromMilliseconds(10));
            await Task.Delay(5); // pump: let the scheduler see the new fake time
        }

        Assert.Equal(Ms("10:15"), rig.Outbox.For("a")[0].ReadUnixMs);
        var c = rig.Outbox.For("c")[0];
        Assert.Equal(Ms("10:15"), c.IntervalUnixMs);
        Assert.InRange(c.ReadUnixMs - Ms("10:15"), 100, 5_000);
    }

    [Fact]
    public async Task The_collection_service_runs_the_scheduler_and_the_workers()
    {
        var time = new FakeTimeProvider(Start);
        var outbox = new FakeOutbox();
        var options = Options();
        var worker = new BusWorker(Bus, new FakeMeterReader(time), [M("a")], outbox, new FakeClockStatus(), options, time, NullLogger<BusWorker>.Instance);
        var scheduler = new CollectionScheduler(options, [worker], time, NullLogger<CollectionScheduler>.Instance);
        using var service = new CollectionService(scheduler);

        await service.StartAsync(CancellationToken.None);
        var read = await Eventually.WithinAsync(scheduler.RequestOnDemandAsync(new MeterId("a"), null, CancellationToken.None), "on-demand via service");
        await service.StopAsync(CancellationToken.None);

        Assert.Equal(2, read.Count);
        Assert.Equal(2, outbox.Readings.Count);
    }

    [Fact]
    public void A_meter_on_two_buses_or_a_duplicate_bus_is_refused()
    {
        var time = new FakeTimeProvider(Start);
        var reader = new FakeMeterReader(time);
        var options = Options();
        BusWorker W(string bus, Meter m) => new(bus, reader, [m], new FakeOutbox(), new FakeClockStatus(), options, time, NullLogger<BusWorker>.Instance);
        Assert.Throws<ArgumentException>(() => new CollectionScheduler(options, [W("x", M("a", bus: "x")), W("y", M("a", bus: "y"))], time, NullLogger<CollectionScheduler>.Instance));
        Assert.Throws<ArgumentException>(() => new CollectionScheduler(options, [W("x", M("a", bus: "x")), W("x", M("b", bus: "x"))], time, NullLogger<CollectionScheduler>.Instance));
        Assert.Throws<ArgumentException>(() => W("x", M("a", bus: "y")));
    }
}
