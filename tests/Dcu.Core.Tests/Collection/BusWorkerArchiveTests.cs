using Dcu.Core.Collection;
using Dcu.Core.Model;
using Dcu.Testing;
using static Dcu.Core.Tests.Collection.WorkerRig;

namespace Dcu.Core.Tests.Collection;

/// <summary>Meters added, updated and removed while the bus worker runs.</summary>
public sealed class BusWorkerArchiveTests
{
    private static readonly long Interval = new DateTimeOffset(2026, 3, 1, 10, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    private static TaskCompletionSource Gate() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static void Hold(WorkerRig rig, string meter, TaskCompletionSource gate) =>
        rig.Reader.Script(meter, async (call, q, ct) => { await gate.Task.WaitAsync(ct); return FakeMeterReader.Values(q, call); });

    [Fact]
    public async Task A_meter_added_while_running_is_read()
    {
        await using var rig = new WorkerRig(null, M("a"));
        rig.Worker.AddMeter(M("b"));

        rig.Enqueue("b", Interval);
        await Eventually.TrueAsync(() => rig.Outbox.For("b").Count == 2, "readings of the added meter");

        Assert.Equal(["a", "b"], rig.Worker.Meters.Select(m => m.Id.Value));
        Assert.NotNull(rig.Worker.Health(new MeterId("b")));
        Assert.Throws<ArgumentException>(() => rig.Worker.AddMeter(M("b")));
        Assert.Throws<ArgumentException>(() => rig.Worker.AddMeter(M("c", bus: "rs485-9")));
    }

    [Fact]
    public async Task A_removed_meter_finishes_its_job_in_flight_and_loses_its_queued_jobs()
    {
        await using var rig = new WorkerRig(null, M("a"), M("b"));
        var gate = Gate();
        Hold(rig, "a", gate);
        rig.Enqueue("a", Interval, task: "t1");
        await Eventually.TrueAsync(() => rig.Reader.Calls.Count == 1, "a in flight");
        rig.Enqueue("a", Interval, task: "t2");
        var onDemand = rig.Worker.RequestOnDemandAsync(new MeterId("a"), null, CancellationToken.None);
        rig.Enqueue("b", Interval);

        Assert.True(rig.Worker.RemoveMeter(new MeterId("a")));
        var refused = await Assert.ThrowsAsync<ArgumentException>(() => onDemand.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains("removed", refused.Message);
        gate.SetResult();

        await Eventually.TrueAsync(() => rig.Outbox.For("b").Count == 2, "b read");
        Assert.Equal(2, rig.Outbox.For("a").Count); // the job in flight finished and delivered
        Assert.Equal(1, rig.Reader.CallsTo("a")); // the queued scheduled job and the on-demand one were dropped
        Assert.Null(rig.Worker.Health(new MeterId("a")));
        Assert.Equal(["b"], rig.Worker.Meters.Select(m => m.Id.Value));
        Assert.False(rig.Worker.RemoveMeter(new MeterId("a")));
        Assert.False(rig.Worker.TryEnqueueScheduled(ReadJob.Scheduled(M("a"), [], "t", Interval, Interval + 1)));
        await Assert.ThrowsAsync<ArgumentException>(() => rig.Worker.RequestOnDemandAsync(new MeterId("a"), null, CancellationToken.None));
    }

    [Fact]
    public async Task An_updated_meter_runs_its_next_job_with_the_new_entry_and_keeps_its_health()
    {
        var options = new CollectionOptions { Retries = 0, OfflineThreshold = 1, OfflinePollDivisor = 1 };
        await using var rig = new WorkerRig(options, M("a"), M("b"));
        rig.Reader.Script("a", FakeMeterReader.TimesOut);
        rig.Enqueue("a", Interval);
        await Eventually.TrueAsync(() => rig.Worker.Health(new MeterId("a"))?.Online == false, "a offline");

        var gate = Gate();
        Hold(rig, "b", gate);
        rig.Enqueue("b", Interval);
        await Eventually.TrueAsync(() => rig.Reader.Calls.Count == 2, "b in flight");
        rig.Enqueue("a", Interval + 900_000); // queued with the old entry
        var moved = M("a") with { Address = "42" };
        rig.Worker.UpdateMeter(moved);
        rig.Reader.Script("a", FakeMeterReader.Ok);
        gate.SetResult();

        await Eventually.TrueAsync(() => rig.Outbox.For("a").Count == 2, "a read again");
        Assert.Equal("42", rig.Reader.Entries.Last(e => e.Id.Value == "a").Address);
        Assert.Equal("42", rig.Worker.Meters[0].Address);
        var health = rig.Worker.Health(new MeterId("a"))!;
        Assert.True(health.Online);
        Assert.Contains(rig.Outbox.Events, e => e.Meter == new MeterId("a") && e.Kind == EventKinds.MeterOnline); // the offline state survived the update
        Assert.Throws<ArgumentException>(() => rig.Worker.UpdateMeter(M("zz")));
    }
}
