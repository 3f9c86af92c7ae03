using Dcu.Core.Abstractions;
using Dcu.Core.Collection;
using Dcu.Core.Model;
using Dcu.Testing;
using static Dcu.Core.Tests.Collection.WorkerRig;

namespace Dcu.Core.Tests.Collection;

public sealed class BusWorkerTests
{
    private static readonly long Interval = new DateTimeOffset(2026, 3, 1, 10, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    [Fact]
    public async Task Readings_are_stamped_with_interval_and_read_time_and_go_to_the_outbox()
    {
        await using var rig = new WorkerRig(null, M("a"));
        rig.Enqueue("a", Interval, Interval + 15 * 60_000);

        await Eventually.TrueAsync(() => rig.Outbox.Readings.Count == 2, "two readings");

        Assert.All(rig.Outbox.Readings, r =>
        {
            Assert.Equal(new MeterId("a"), r.Meter);
            Assert.Equal(Interval, r.IntervalUnixMs);
            Assert.Equal(rig.NowMs, r.ReadUnixMs);
            Assert.Equal(ReadingQuality.Good, r.Quality);
        });
        Assert.Equal(FakeMeterReader.Supported, rig.Outbox.Readings.Select(r => r.Obis));
        var c = rig.Worker.Counters();
        Assert.Equal((1, 1, 1), (c.Requests, c.Ok, c.JobsCompleted));
    }

    [Fact]
    public async Task Readings_taken_while_the_clock_is_invalid_are_flagged()
    {
        await using var rig = new WorkerRig(null, M("a"));
        rig.Clock.IsValid = false;
        rig.Enqueue("a", Interval);

        await Eventually.TrueAsync(() => rig.Outbox.Readings.Count == 2, "two readings");

        Assert.All(rig.Outbox.Readings, r => Assert.Equal(ReadingQuality.ClockInvalid, r.Quality));
    }

    [Fact]
    public async Task A_job_done_after_its_deadline_is_flagged_late()
    {
        await using var rig = new WorkerRig(null, M("a"));
        rig.Enqueue("a", Interval, deadlineUnixMs: rig.NowMs); // deadline = now: already due

        await Eventually.TrueAsync(() => rig.Outbox.Readings.Count == 2, "two readings");

        Assert.All(rig.Outbox.Readings, r => Assert.Equal(ReadingQuality.Late, r.Quality));
        Assert.Equal(1, rig.Worker.Counters().JobsLate);
    }

    [Fact]
    public async Task On_demand_jumps_ahead_of_queued_scheduled_jobs()
    {
        await using var rig = new WorkerRig(null, M("a"), M("b"), M("c"), M("d"));
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        rig.Reader.Script("a", async (call, q, ct) => { await gate.Task.WaitAsync(ct); return FakeMeterReader.Values(q, call); });

        rig.Enqueue("a");
        await Eventually.TrueAsync(() => rig.Reader.Calls.Count == 1, "first scheduled read in flight");
        rig.Enqueue("b");
        rig.Enqueue("c");
        var onDemand = rig.Worker.RequestOnDemandAsync(new MeterId("d"), [ObisCode.VoltageL1], CancellationToken.None);
        gate.SetResult();

        var readings = await Eventually.WithinAsync(onDemand, "on-demand result");
        await Eventually.TrueAsync(() => rig.JobsDone() == 4, "all jobs done");

        Assert.Equal(["a", "d", "b", "c"], rig.Reader.Calls.Select(c => c.Meter.Value));
        var r = Assert.Single(readings);
        Assert.Equal(ObisCode.VoltageL1, r.Obis);
        Assert.Equal(r.ReadUnixMs, r.IntervalUnixMs);
        Assert.Contains(rig.Outbox.Readings, x => x.Meter.Value == "d");
    }

    [Fact]
    public async Task Exactly_one_request_is_in_flight_on_a_bus()
    {
        var meters = Enumerable.Range(1, 6).Select(i => M("m" + i)).ToArray();
        await using var rig = new WorkerRig(null, meters);
        var gates = new System.Collections.Concurrent.ConcurrentQueue<TaskCompletionSource>();
        foreach (var m in meters)
            rig.Reader.Script(m.Id.Value, async (call, q, ct) =>
            {
                var g = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                gates.Enqueue(g);
                await g.Task.WaitAsync(ct);
                return FakeMeterReader.Values(q, call);
            });

        foreach (var m in meters) rig.Enqueue(m.Id.Value);
        var onDemand = rig.Worker.RequestOnDemandAsync(new MeterId("m3"), null, CancellationToken.None);
        for (var released = 0; released < meters.Length + 1; released++)
        {
            await Eventually.TrueAsync(() => gates.Count == 1, $"request {released + 1} in flight");
            Assert.Equal(1, rig.Reader.InFlight);
            Assert.True(gates.TryDequeue(out var g));
            g.SetResult();
        }

        await Eventually.WithinAsync(onDemand, "on-demand");
        await Eventually.TrueAsync(() => rig.JobsDone() == meters.Length + 1, "all jobs done");
        Assert.Equal(1, rig.Reader.MaxInFlight);
    }

    [Fact]
    public async Task Many_yielding_reads_never_overlap()
    {
        var meters = Enumerable.Range(1, 5).Select(i => M("m" + i)).ToArray();
        await using var rig = new WorkerRig(null, meters);
        foreach (var m in meters)
            rig.Reader.Script(m.Id.Value, async (call, q, _) => { await Task.Yield(); return FakeMeterReader.Values(q, call); });

        var demands = new List<Task<IReadOnlyList<Reading>>>();
        for (var round = 0; round < 20; round++)
        {
            foreach (var m in meters) rig.Enqueue(m.Id.Value, Interval + round, task: "t" + round);
            demands.Add(rig.Worker.RequestOnDemandAsync(meters[round % 5].Id, null, CancellationToken.None));
        }

        await Eventually.WithinAsync(Task.WhenAll(demands), "on-demand reads");
        await Eventually.TrueAsync(() => rig.JobsDone() == 120, "all jobs done");
        Assert.Equal(1, rig.Reader.MaxInFlight);
        Assert.Equal(120, rig.Worker.Counters().JobsCompleted);
    }

    [Fact]
    public async Task The_meter_turnaround_passes_before_the_next_request()
    {
        var turnaround = TimeSpan.FromMilliseconds(500);
        await using var rig = new WorkerRig(null, M("slow", turnaround), M("b"));
        rig.Enqueue("slow");
        rig.Enqueue("b");

        await Eventually.TrueAsync(() => rig.Reader.Calls.Count == 1, "first read");
        while (rig.Reader.Calls.Count < 2)
        {
            Assert.True(rig.Time.GetUtcNow() - Start < TimeSpan.FromSeconds(5), "second read never came");
            rig.Time.Advance(TimeSpan.FromMilliseconds(50));
            await Task.Delay(5); // pump: let the worker see the new fake time

        }

        var calls = rig.Reader.Calls.ToArray();
        Assert.True(calls[1].At - calls[0].At >= turnaround, $"gap {calls[1].At - calls[0].At}");
    }

    [Fact]
    public async Task A_failed_attempt_is_retried_once_by_default()
    {
        await using var rig = new WorkerRig(null, M("a"));
        rig.Reader.Script("a", (call, q, ct) => call == 1 ? FakeMeterReader.TimesOut(call, q, ct) : FakeMeterReader.Ok(call, q, ct));
        rig.Enqueue("a");

        await Eventually.TrueAsync(() => rig.Outbox.Readings.Count == 2, "readings after retry");
        var c = rig.Worker.Counters();
        Assert.Equal((2L, 1L, 1L, 1L, 0L), (c.Requests, c.Ok, c.Timeouts, c.JobsCompleted, c.JobsFailed));
        Assert.Equal(0, rig.Worker.Health(new MeterId("a"))!.ConsecutiveFailures);
    }

    [Fact]
    public async Task Every_kind_of_failure_is_counted_and_the_loop_survives()
    {
        var options = new CollectionOptions { Retries = 0, RequestTimeout = TimeSpan.FromSeconds(5), OfflineThreshold = 100 };
        await using var rig = new WorkerRig(options, M("a"));
        var script = new Dictionary<int, ReadScript>
        {
            [1] = FakeMeterReader.TimesOut,
            [2] = FakeMeterReader.Protocol("crc"),
            [3] = FakeMeterReader.Protocol("crc"),
            [4] = FakeMeterReader.Protocol("exception_02"),
            [5] = (_, _, _) => throw new InvalidOperationException("bug in the driver"),
            [6] = (_, _, _) => Task.FromException<IReadOnlyList<MeterValue>>(new ArgumentOutOfRangeException("register")),
            [7] = async (_, _, ct) => { await Task.Delay(Timeout.InfiniteTimeSpan, ct); return []; }, // hangs: watchdog
            [8] = (_, _, _) => throw new OperationCanceledException("spurious"),
        };
        rig.Reader.Script("a", (call, q, ct) => script.TryGetValue(call, out var s) ? s(call, q, ct) : FakeMeterReader.Ok(call, q, ct));

        for (var i = 0; i < 9; i++) rig.Enqueue("a", Interval + i, task: "t" + i);
        await Eventually.TrueAsync(() => rig.Reader.Calls.Count == 7, "reader hung on call 7");
        rig.Time.Advance(options.RequestTimeout);
        await Eventually.TrueAsync(() => rig.JobsDone() == 9, "all jobs done");

        var c = rig.Worker.Counters();
        Assert.Equal(9, c.Requests);
        Assert.Equal(1, c.Ok);
        Assert.Equal(2, c.Timeouts); // the reader's own and the watchdog's
        Assert.Equal(3, c.ProtocolErrors);
        Assert.Equal(2, c.ProtocolErrorsByReason["crc"]);
        Assert.Equal(1, c.ProtocolErrorsByReason["exception_02"]);
        Assert.Equal(3, c.Unexpected);
        Assert.Equal(1, c.UnexpectedByType[nameof(InvalidOperationException)]);
        Assert.Equal(1, c.UnexpectedByType[nameof(ArgumentOutOfRangeException)]);
        Assert.Equal(1, c.UnexpectedByType[nameof(OperationCanceledException)]);
        Assert.Equal((8L, 1L), (c.JobsFailed, c.JobsCompleted));
        Assert.False(rig.Run.IsCompleted);
        Assert.Equal(2, rig.Outbox.Readings.Count);
    }

    [Fact]
    public async Task A_failing_outbox_is_counted_and_the_loop_survives()
    {
        await using var rig = new WorkerRig(null, M("a"));
        rig.Outbox.FailReading = r => r.IntervalUnixMs == Interval ? new IOException("disk full") : null;
        rig.Enqueue("a", Interval);
        rig.Enqueue("a", Interval + 1, task: "other");

        await Eventually.TrueAsync(() => rig.JobsDone() == 2, "both jobs done");
        var c = rig.Worker.Counters();
        Assert.Equal(2, c.OutboxErrors);
        Assert.Equal(2, c.UnexpectedByType[nameof(IOException)]);
        Assert.Equal(2, rig.Outbox.Readings.Count);
        Assert.False(rig.Run.IsCompleted);
    }

    [Fact]
    public async Task On_demand_returns_the_read_error_to_the_requester()
    {
        await using var rig = new WorkerRig(new CollectionOptions { Retries = 0 }, M("a"));
        rig.Reader.Script("a", FakeMeterReader.Protocol("wrong_unit"));

        var ex = await Assert.ThrowsAsync<MeterProtocolException>(() => rig.Worker.RequestOnDemandAsync(new MeterId("a"), null, CancellationToken.None));
        Assert.Equal("wrong_unit", ex.Reason);
        await Assert.ThrowsAsync<ArgumentException>(() => rig.Worker.RequestOnDemandAsync(new MeterId("nope"), null, CancellationToken.None));
    }

    [Fact]
    public async Task A_cancelled_on_demand_request_is_dropped_before_it_starts()
    {
        await using var rig = new WorkerRig(null, M("a"), M("b"));
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        rig.Reader.Script("a", async (call, q, ct) => { await gate.Task.WaitAsync(ct); return FakeMeterReader.Values(q, call); });
        rig.Enqueue("a");
        await Eventually.TrueAsync(() => rig.Reader.Calls.Count == 1, "first read in flight");

        using var cts = new CancellationTokenSource();
        var onDemand = rig.Worker.RequestOnDemandAsync(new MeterId("b"), null, cts.Token);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => onDemand);
        gate.SetResult();

        await Eventually.TrueAsync(() => rig.JobsDone() == 2, "jobs done");
        Assert.Equal(0, rig.Reader.CallsTo("b"));
        Assert.Equal(1, rig.Worker.Counters().JobsCancelled);
    }

    [Fact]
    public async Task An_older_interval_is_skipped_when_a_newer_one_of_the_same_task_is_queued()
    {
        await using var rig = new WorkerRig(null, M("a"), M("b"));
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        rig.Reader.Script("b", async (call, q, ct) => { await gate.Task.WaitAsync(ct); return FakeMeterReader.Values(q, call); });
        rig.Enqueue("b");
        await Eventually.TrueAsync(() => rig.Reader.Calls.Count == 1, "bus busy");
        rig.Enqueue("a", Interval);
        rig.Enqueue("a", Interval + 900_000);
        gate.SetResult();

        await Eventually.TrueAsync(() => rig.JobsDone() == 3, "jobs done");
        Assert.Equal(1, rig.Worker.Counters().JobsSuperseded);
        Assert.All(rig.Outbox.For("a"), r => Assert.Equal(Interval + 900_000, r.IntervalUnixMs));
    }

    [Fact]
    public async Task A_meter_goes_offline_after_N_failed_jobs_is_polled_less_and_comes_back()
    {
        await using var rig = new WorkerRig(null, M("dead"), M("ok"));
        var alive = false;
        rig.Reader.Script("dead", (call, q, ct) => Volatile.Read(ref alive) ? FakeMeterReader.Ok(call, q, ct) : FakeMeterReader.TimesOut(call, q, ct));

        async Task Round(int i)
        {
            var done = rig.JobsDone();
            rig.Enqueue("dead", Interval + i * 900_000);
            rig.Enqueue("ok", Interval + i * 900_000);
            await Eventually.TrueAsync(() => rig.JobsDone() == done + 2, $"round {i}");
        }

        for (var i = 0; i < 3; i++) await Round(i);
        Assert.Equal(6, rig.Reader.CallsTo("dead")); // 3 jobs x (1 + 1 retry)
        var offline = Assert.Single(rig.Outbox.Events);
        Assert.Equal((EventKinds.MeterOffline, "dead"), (offline.Kind, offline.Meter!.Value.Value));
        var h = rig.Worker.Health(new MeterId("dead"))!;
        Assert.False(h.Online);
        Assert.Equal(3, h.ConsecutiveFailures);
        Assert.Equal("timeout", h.LastError);

        for (var i = 3; i < 11; i++) await Round(i); // 8 due jobs while offline: the 4th and 8th are tried, once each
        Assert.Equal(8, rig.Reader.CallsTo("dead"));
        Assert.Equal(6, rig.Worker.Counters().JobsSkippedOffline);
        Assert.Equal(11, rig.Outbox.For("ok").Count / 2);

        Volatile.Write(ref alive, true);
        for (var i = 11; i < 15; i++) await Round(i);
        Assert.Equal(9, rig.Reader.CallsTo("dead")); // only the 4th due job reached it
        Assert.Equal([EventKinds.MeterOffline, EventKinds.MeterOnline], rig.Outbox.Events.Select(e => e.Kind));
        h = rig.Worker.Health(new MeterId("dead"))!;
        Assert.True(h.Online);
        Assert.Equal(0, h.ConsecutiveFailures);
        Assert.Equal(rig.NowMs, h.LastSuccessUnixMs);

        await Round(15); // normal polling again
        Assert.Equal(10, rig.Reader.CallsTo("dead"));
    }

    [Fact]
    public async Task An_on_demand_success_brings_an_offline_meter_back()
    {
        await using var rig = new WorkerRig(new CollectionOptions { OfflineThreshold = 1, Retries = 0 }, M("a"));
        rig.Reader.Script("a", (call, q, ct) => call == 1 ? FakeMeterReader.TimesOut(call, q, ct) : FakeMeterReader.Ok(call, q, ct));
        rig.Enqueue("a");
        await Eventually.TrueAsync(() => rig.Outbox.Events.Count == 1, "offline event");

        await rig.Worker.RequestOnDemandAsync(new MeterId("a"), null, CancellationToken.None);

        Assert.Equal([EventKinds.MeterOffline, EventKinds.MeterOnline], rig.Outbox.Events.Select(e => e.Kind));
    }
}
