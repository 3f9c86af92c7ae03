using Dcu.Core.Abstractions;
using Dcu.Core.Collection;
using Dcu.Core.Model;
using Dcu.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using static Dcu.Core.Tests.Collection.WorkerRig;

namespace Dcu.Core.Tests.Collection;

/// <summary>Operations on a meter and on the whole bus, run by the bus worker beside its reads.</summary>
public sealed class BusWorkerOperationTests
{
    private static readonly long Interval = new DateTimeOffset(2026, 3, 1, 10, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    private static TaskCompletionSource Gate() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static void Hold(WorkerRig rig, string meter, TaskCompletionSource gate) =>
        rig.Reader.Script(meter, async (call, q, ct) => { await gate.Task.WaitAsync(ct); return FakeMeterReader.Values(q, call); });

    [Fact]
    public async Task An_operation_waits_for_the_read_in_flight_and_goes_ahead_of_scheduled_jobs()
    {
        await using var rig = new WorkerRig(null, M("a"), M("b"), M("c"));
        var gate = Gate();
        Hold(rig, "a", gate);
        rig.Enqueue("a", Interval);
        await Eventually.TrueAsync(() => rig.Reader.Calls.Count == 1, "a in flight");
        rig.Enqueue("b", Interval);
        var order = new List<string>();
        var inFlightDuringOp = -1;
        var op = rig.Worker.RunOnMeterAsync(new MeterId("c"), (meter, control, ct) =>
        {
            inFlightDuringOp = rig.Reader.InFlight;
            lock (order) order.Add("op:" + meter.Id);
            return Task.FromResult(7);
        }, CancellationToken.None);
        await Task.Delay(100);
        Assert.False(op.IsCompleted); // never beside the read on a serial line

        gate.SetResult();
        Assert.Equal(7, await Eventually.WithinAsync(op, "operation result"));
        await Eventually.TrueAsync(() => rig.Outbox.For("b").Count == 2, "b read after the operation");

        Assert.Equal(0, inFlightDuringOp);
        Assert.Equal(["a", "b"], rig.Reader.Calls.Select(c => c.Meter.Value));
        Assert.True(rig.Reader.Entries.Count == 2 && rig.Worker.Counters().Requests == 3);
    }

    [Fact]
    public async Task Operations_and_reads_never_overlap_on_a_serial_bus()
    {
        await using var rig = new WorkerRig(null, M("a"), M("b"), M("c"));
        foreach (var m in new[] { "a", "b", "c" })
            rig.Reader.Script(m, async (call, q, ct) => { await Task.Yield(); return FakeMeterReader.Values(q, call); });
        var opsInFlight = 0;
        var overlaps = 0;
        var ops = new List<Task<int>>();
        for (var i = 0; i < 30; i++)
        {
            rig.Enqueue(new[] { "a", "b", "c" }[i % 3], Interval + i * 900_000);
            ops.Add(rig.Worker.RunOnMeterAsync(new MeterId(new[] { "a", "b", "c" }[(i + 1) % 3]), async (meter, control, ct) =>
            {
                if (Interlocked.Increment(ref opsInFlight) > 1 || rig.Reader.InFlight > 0) Interlocked.Increment(ref overlaps);
                await Task.Yield();
                if (rig.Reader.InFlight > 0) Interlocked.Increment(ref overlaps);
                Interlocked.Decrement(ref opsInFlight);
                return 1;
            }, CancellationToken.None));
        }
        await Eventually.WithinAsync(Task.WhenAll(ops), "all operations");
        await Eventually.TrueAsync(() => rig.Worker.Counters().JobsCompleted + rig.Worker.Counters().JobsSuperseded == 30, "all reads");

        Assert.Equal(0, overlaps);
        Assert.Equal(1, rig.Reader.MaxInFlight);
    }

    [Fact]
    public async Task An_operation_respects_the_turnaround_and_the_watchdog()
    {
        var options = new CollectionOptions { RequestTimeout = TimeSpan.FromSeconds(30) };
        var turnaround = TimeSpan.FromMilliseconds(200);
        await using var rig = new WorkerRig(options, M("slow", turnaround));
        rig.Enqueue("slow", Interval);
        await Eventually.TrueAsync(() => rig.Outbox.Readings.Count == 2, "read done");
        var readAt = rig.Time.GetUtcNow();

        DateTimeOffset? startedAt = null;
        var hung = rig.Worker.RunOnMeterAsync<int>(new MeterId("slow"), async (meter, control, ct) =>
        {
            startedAt = rig.Time.GetUtcNow();
            await Task.Delay(Timeout.InfiniteTimeSpan, ct);
            return 0;
        }, CancellationToken.None);
        await Task.Delay(50);
        Assert.Null(startedAt);
        rig.Time.Advance(turnaround);
        await Eventually.TrueAsync(() => startedAt is not null, "operation started after the turnaround");
        Assert.Equal(readAt + turnaround, startedAt);

        rig.Time.Advance(options.RequestTimeout);
        await Assert.ThrowsAsync<TimeoutException>(() => hung.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(1, rig.Worker.Counters().Timeouts);
        Assert.True(rig.Worker.Health(new MeterId("slow"))!.Online); // an operation does not count against the meter's health
    }

    [Fact]
    public async Task An_operation_error_goes_to_the_requester_and_the_loop_goes_on()
    {
        await using var rig = new WorkerRig(null, M("a"));
        var failed = rig.Worker.RunOnMeterAsync<int>(new MeterId("a"), (_, _, _) => throw new MeterProtocolException("denied", "relay refused"), CancellationToken.None);
        var ex = await Assert.ThrowsAsync<MeterProtocolException>(() => failed.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal("denied", ex.Reason);

        rig.Enqueue("a", Interval);
        await Eventually.TrueAsync(() => rig.Outbox.Readings.Count == 2, "read after the failed operation");
        await Assert.ThrowsAsync<ArgumentException>(() => rig.Worker.RunOnMeterAsync(new MeterId("zz"), (_, _, _) => Task.FromResult(1), CancellationToken.None));
    }

    [Fact]
    public async Task The_bus_control_is_handed_to_operations()
    {
        var time = new FakeTimeProvider(Start);
        var control = new NoControl();
        var worker = new BusWorker(Bus, new FakeMeterReader(time), [M("a")], new FakeOutbox(), new FakeClockStatus(), new CollectionOptions(), time,
            NullLogger<BusWorker>.Instance, control: control);
        using var stop = new CancellationTokenSource();
        var run = worker.RunAsync(stop.Token);

        var seen = await Eventually.WithinAsync(worker.RunOnMeterAsync(new MeterId("a"), (m, c, ct) => Task.FromResult(c), CancellationToken.None), "operation");
        var seenOnBus = await Eventually.WithinAsync(worker.RunOnBusAsync((c, ct) => Task.FromResult(c), CancellationToken.None), "bus operation");

        Assert.Same(control, seen);
        Assert.Same(control, seenOnBus);
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_bus_operation_waits_for_every_job_in_flight_and_holds_the_whole_bus()
    {
        await using var rig = new WorkerRig(4, null, null, M("a"), M("b"), M("c"), M("d"));
        var gateA = Gate();
        var gateB = Gate();
        Hold(rig, "a", gateA);
        Hold(rig, "b", gateB);
        rig.Enqueue("a", Interval);
        rig.Enqueue("b", Interval);
        await Eventually.TrueAsync(() => rig.Reader.InFlight == 2, "a and b in flight");

        var release = Gate();
        var inFlightAtStart = -1;
        var busOp = rig.Worker.RunOnBusAsync(async (control, ct) =>
        {
            inFlightAtStart = rig.Reader.InFlight;
            await release.Task.WaitAsync(ct);
            return "sent";
        }, CancellationToken.None);
        rig.Enqueue("c", Interval);
        rig.Enqueue("d", Interval);
        await Task.Delay(100);
        Assert.Equal(-1, inFlightAtStart); // a and b still in flight
        Assert.Equal(2, rig.Reader.Calls.Count); // and c, d wait behind the bus operation although slots are free

        gateA.SetResult();
        await Task.Delay(100);
        Assert.Equal(-1, inFlightAtStart);
        gateB.SetResult();
        await Eventually.TrueAsync(() => inFlightAtStart == 0, "bus operation started once nothing was in flight");
        await Task.Delay(100);
        Assert.Equal(2, rig.Reader.Calls.Count); // nothing starts beside it

        release.SetResult();
        Assert.Equal("sent", await Eventually.WithinAsync(busOp, "bus operation result"));
        await Eventually.TrueAsync(() => rig.Outbox.For("c").Count == 2 && rig.Outbox.For("d").Count == 2, "c and d read after it");
    }

    [Fact]
    public async Task A_cancelled_bus_operation_is_not_run()
    {
        await using var rig = new WorkerRig(null, M("a"));
        var gate = Gate();
        Hold(rig, "a", gate);
        rig.Enqueue("a", Interval);
        await Eventually.TrueAsync(() => rig.Reader.Calls.Count == 1, "a in flight");
        using var cancel = new CancellationTokenSource();
        var ran = false;
        var op = rig.Worker.RunOnBusAsync((c, ct) => { ran = true; return Task.FromResult(1); }, cancel.Token);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => op.WaitAsync(TimeSpan.FromSeconds(10)));
        gate.SetResult();
        rig.Enqueue("a", Interval + 900_000);
        await Eventually.TrueAsync(() => rig.Outbox.Readings.Count == 4, "later read");
        Assert.False(ran);
    }

    private sealed class NoControl : IMeterControl
    {
        public bool SupportsRelay(Meter meter) => false;

        public Task<RelayState> ReadRelayAsync(Meter meter, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task SetRelayAsync(Meter meter, RelayAction action, CancellationToken cancellationToken) => throw new NotSupportedException();

        public bool SupportsClock(Meter meter) => false;

        public Task<DateTimeOffset> ReadClockAsync(Meter meter, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task SetClockAsync(Meter meter, DateTimeOffset utc, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<bool> BroadcastTimeAsync(DateTimeOffset utc, CancellationToken cancellationToken) => Task.FromResult(false);
    }
}
