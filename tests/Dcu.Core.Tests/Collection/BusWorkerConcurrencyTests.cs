using Dcu.Core.Collection;
using Dcu.Core.Model;
using Dcu.Testing;
using static Dcu.Core.Tests.Collection.WorkerRig;

namespace Dcu.Core.Tests.Collection;

/// <summary>A bus with several jobs in flight (PLC module): the limit, one job per meter, per-meter turnaround.</summary>
public sealed class BusWorkerConcurrencyTests
{
    private static readonly long Interval = new DateTimeOffset(2026, 3, 1, 10, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    [Fact]
    public async Task Four_slots_read_fifty_slow_meters_four_at_a_time_in_the_ideal_round_time()
    {
        var meters = Enumerable.Range(1, 50).Select(i => M("p" + i)).ToArray();
        await using var rig = new WorkerRig(4, null, null, meters);
        var latency = TimeSpan.FromSeconds(2);
        var armed = 0;
        foreach (var m in meters)
            rig.Reader.Script(m.Id.Value, async (call, q, ct) =>
            {
                var relay = Task.Delay(latency, rig.Time, ct); // the module relays for 2 s (fake time)
                Interlocked.Increment(ref armed);
                await relay;
                return FakeMeterReader.Values(q, call);
            });
        foreach (var m in meters) rig.Enqueue(m.Id.Value, Interval);

        var done = 0;
        while (done < meters.Length)
        {
            var batch = Math.Min(4, meters.Length - done);
            await Eventually.TrueAsync(() => Volatile.Read(ref armed) == done + batch, $"{batch} reads in flight after {done} done");
            Assert.Equal(batch, rig.Reader.InFlight);
            rig.Time.Advance(latency);
            done += batch;
            await Eventually.TrueAsync(() => rig.Worker.Counters().JobsCompleted == done, $"{done} jobs completed");
        }

        Assert.Equal(4, rig.Reader.MaxInFlight);
        Assert.Equal(1, rig.Reader.MaxInFlightPerMeter);
        var ideal = latency * Math.Ceiling(meters.Length / 4.0); // 13 rounds of 2 s, against 100 s serial
        Assert.Equal(ideal, rig.Time.GetUtcNow() - Start);
        Assert.Equal(100, rig.Outbox.Readings.Count);
    }

    [Fact]
    public async Task The_same_meter_is_never_read_twice_at_once()
    {
        var meters = Enumerable.Range(1, 6).Select(i => M("m" + i)).ToArray();
        await using var rig = new WorkerRig(4, null, null, meters);
        foreach (var m in meters)
            rig.Reader.Script(m.Id.Value, async (call, q, ct) => { await Task.Yield(); await Task.Delay(1, ct); return FakeMeterReader.Values(q, call); });

        var demands = new List<Task<IReadOnlyList<Reading>>>();
        for (var round = 0; round < 10; round++)
        {
            foreach (var m in meters.Take(2)) rig.Enqueue(m.Id.Value, Interval + round, task: "t" + round); // two meters, many tasks
            rig.Enqueue(meters[2 + round % 4].Id.Value, Interval + round, task: "t" + round);
            demands.Add(rig.Worker.RequestOnDemandAsync(meters[round % 2].Id, null, CancellationToken.None));
        }

        await Eventually.WithinAsync(Task.WhenAll(demands), "on-demand reads");
        await Eventually.TrueAsync(() => rig.JobsDone() == 40, "all jobs done");
        Assert.Equal(1, rig.Reader.MaxInFlightPerMeter);
        Assert.InRange(rig.Reader.MaxInFlight, 1, 4);
        Assert.Equal(40, rig.Worker.Counters().JobsCompleted);
    }

    [Fact]
    public async Task Jobs_of_a_busy_meter_wait_while_other_meters_use_the_free_slots()
    {
        await using var rig = new WorkerRig(4, null, null, M("a"), M("b"));
        var gates = new System.Collections.Concurrent.ConcurrentQueue<(string Meter, TaskCompletionSource Gate)>();
        foreach (var id in new[] { "a", "b" })
            rig.Reader.Script(id, async (call, q, ct) =>
            {
                var g = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                gates.Enqueue((id, g));
                await g.Task.WaitAsync(ct);
                return FakeMeterReader.Values(q, call);
            });
        for (var i = 0; i < 3; i++) rig.Enqueue("a", Interval, task: "t" + i);
        rig.Enqueue("b", Interval);

        await Eventually.TrueAsync(() => gates.Count == 2, "a and b in flight");
        await Task.Delay(100); // give a wrong scheduler the chance to start a second read of "a"
        Assert.Equal(2, rig.Reader.InFlight);
        Assert.Equal([1, 1], rig.Reader.Calls.GroupBy(c => c.Meter).Select(g => g.Count()));

        for (var released = 0; released < 4; released++)
        {
            await Eventually.TrueAsync(() => !gates.IsEmpty, "a read in flight");
            Assert.True(gates.TryDequeue(out var g));
            g.Gate.SetResult();
        }
        await Eventually.TrueAsync(() => rig.JobsDone() == 4, "all jobs done");
        Assert.Equal(1, rig.Reader.MaxInFlightPerMeter);
        Assert.Equal(3, rig.Reader.CallsTo("a"));
    }

    [Fact]
    public async Task Dead_meters_hold_their_slots_but_do_not_stall_the_others()
    {
        var options = new CollectionOptions { Retries = 0, RequestTimeout = TimeSpan.FromSeconds(10) };
        var dead = new[] { "d1", "d2", "d3" };
        var live = Enumerable.Range(1, 17).Select(i => "l" + i).ToArray();
        await using var rig = new WorkerRig(4, null, options, [.. dead.Concat(live).Select(id => M(id))]);
        foreach (var d in dead)
            rig.Reader.Script(d, async (_, _, ct) => { await Task.Delay(Timeout.InfiniteTimeSpan, ct); return []; }); // never answers
        foreach (var id in dead.Concat(live)) rig.Enqueue(id, Interval);

        // No fake time passes: the dead meters hang in 3 slots, the 4th slot reads every live meter.
        await Eventually.TrueAsync(() => rig.Worker.Counters().JobsCompleted == live.Length, "every live meter read");
        Assert.Equal(3, rig.Reader.InFlight);
        Assert.Equal(live.Length * 2, rig.Outbox.Readings.Count);

        rig.Time.Advance(options.RequestTimeout);
        await Eventually.TrueAsync(() => rig.Worker.Counters().JobsFailed == dead.Length, "dead meters time out");
        Assert.Equal(dead.Length, rig.Worker.Counters().Timeouts);
        Assert.Equal(4, rig.Reader.MaxInFlight);
    }

    [Fact]
    public async Task With_several_slots_the_turnaround_holds_only_its_own_meter()
    {
        var turnaround = TimeSpan.FromMilliseconds(500);
        await using var rig = new WorkerRig(2, null, null, M("slow", turnaround), M("b"));
        rig.Enqueue("slow", Interval, task: "t1");
        rig.Enqueue("slow", Interval, task: "t2");
        rig.Enqueue("b", Interval);

        await Eventually.TrueAsync(() => rig.Reader.Calls.Count == 2, "slow and b read at once");
        Assert.Equal(["slow", "b"], rig.Reader.Calls.Select(c => c.Meter.Value).Order().Reverse());
        await Task.Delay(100);
        Assert.Equal(2, rig.Reader.Calls.Count); // the second read of "slow" waits for its turnaround

        rig.Time.Advance(turnaround);
        await Eventually.TrueAsync(() => rig.Reader.Calls.Count == 3, "second read of slow");
        var slow = rig.Reader.Calls.Where(c => c.Meter.Value == "slow").ToArray();
        Assert.Equal(turnaround, slow[1].At - slow[0].At);
    }

    [Fact]
    public void The_concurrency_limit_is_checked()
    {
        var reader = new FakeMeterReader(TimeProvider.System);
        Assert.Throws<ArgumentOutOfRangeException>(() => new BusWorker(Bus, reader, [M("a")], new FakeOutbox(), new FakeClockStatus(),
            new CollectionOptions(), TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<BusWorker>.Instance, maxConcurrency: 0));
        var w = new BusWorker(Bus, reader, [M("a")], new FakeOutbox(), new FakeClockStatus(),
            new CollectionOptions(), TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<BusWorker>.Instance);
        Assert.Equal(1, w.MaxConcurrency);
    }
}
