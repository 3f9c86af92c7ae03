using Dcu.Core.Abstractions;
using Dcu.Core.Collection;
using Dcu.Core.Model;
using Dcu.Testing;
using static Dcu.Core.Tests.Collection.WorkerRig;

namespace Dcu.Core.Tests.Collection;

/// <summary>Job outcomes reported to the observer; missed intervals remembered and re-read through <see cref="IMissedIntervalReader"/>.</summary>
public sealed class BusWorkerCatchUpTests
{
    private const long Quarter = 15 * 60_000;
    private static readonly long I0 = new DateTimeOffset(2026, 3, 1, 10, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
    private static readonly CollectionOptions NoRetries = new() { Retries = 0, OfflineThreshold = 100 };

    /// <summary>Meter "a" times out on its first <paramref name="failures"/> jobs, then answers; one job per quarter, each waited for.</summary>
    private static async Task RunQuartersAsync(WorkerRig rig, int jobs, int failures)
    {
        rig.Reader.Script("a", (call, q, ct) => call <= failures ? FakeMeterReader.TimesOut(call, q, ct) : FakeMeterReader.Ok(call, q, ct));
        for (var i = 0; i < jobs; i++)
        {
            var done = rig.JobsDone();
            rig.Enqueue("a", I0 + i * Quarter, I0 + (i + 1) * Quarter);
            await Eventually.TrueAsync(() => rig.JobsDone() > done, $"job {i}");
        }
    }

    [Fact]
    public async Task Every_scheduled_job_outcome_goes_to_the_observer()
    {
        var observer = new RecordingObserver();
        await using var rig = new WorkerRig(1, observer, new CollectionOptions { Retries = 0, OfflineThreshold = 1, OfflinePollDivisor = 4 }, M("a"), M("b"));
        rig.Reader.Script("a", FakeMeterReader.TimesOut);
        rig.Enqueue("a", I0);
        await Eventually.TrueAsync(() => rig.JobsDone() == 1, "a failed");
        rig.Enqueue("a", I0 + Quarter); // offline now: skipped
        rig.Enqueue("b", I0, deadlineUnixMs: rig.NowMs); // late
        await Eventually.TrueAsync(() => rig.JobsDone() == 3, "jobs done");
        await rig.Worker.RequestOnDemandAsync(new MeterId("b"), null, CancellationToken.None); // not reported

        var r = observer.Results.ToArray();
        Assert.Equal(
            [("a", I0, CollectionOutcome.Failed, false), ("a", I0 + Quarter, CollectionOutcome.SkippedOffline, false), ("b", I0, CollectionOutcome.Collected, false)],
            r.Select(x => (x.Meter.Value, x.IntervalUnixMs, x.Outcome, x.OnTime)));
        Assert.All(r, x => Assert.Equal("t", x.Task));
    }

    [Fact]
    public async Task Missed_intervals_are_re_read_when_the_meter_answers_again_stamped_and_flagged_late()
    {
        var observer = new RecordingObserver();
        await using var rig = new WorkerRig(1, observer, NoRetries, M("a"));
        rig.Reader.PastReadable[new MeterId("a")] = true;

        await RunQuartersAsync(rig, jobs: 3, failures: 2);
        await Eventually.TrueAsync(() => rig.JobsDone() == 5, "two catch-up jobs done");

        Assert.Equal([I0, I0 + Quarter], rig.Reader.PastCalls.Select(c => c.IntervalUnixMs));
        var byInterval = rig.Outbox.For("a").GroupBy(x => x.IntervalUnixMs).ToDictionary(g => g.Key, g => g.Select(x => x.Quality).Distinct().Single());
        Assert.Equal(ReadingQuality.Late, byInterval[I0]);
        Assert.Equal(ReadingQuality.Late, byInterval[I0 + Quarter]);
        Assert.Equal(ReadingQuality.Good, byInterval[I0 + 2 * Quarter]);
        Assert.Empty(rig.Worker.MissedIntervals(new MeterId("a")));
        Assert.Equal(2, rig.Worker.Counters().CatchUpsQueued);
        var catchUps = observer.Results.Where(x => x.CatchUp).ToArray();
        Assert.Equal([I0, I0 + Quarter], catchUps.Select(x => x.IntervalUnixMs));
        Assert.All(catchUps, x => Assert.True(x.Collected && !x.OnTime));
    }

    [Fact]
    public async Task A_reader_that_cannot_read_the_past_leaves_missed_intervals_missed()
    {
        await using var rig = new WorkerRig(1, null, NoRetries, M("a"));

        await RunQuartersAsync(rig, jobs: 3, failures: 2);
        await Task.Delay(50);

        Assert.Empty(rig.Reader.PastCalls);
        Assert.Equal(3, rig.JobsDone());
        Assert.Equal([I0, I0 + Quarter], rig.Worker.MissedIntervals(new MeterId("a")).Select(m => m.IntervalUnixMs));
        Assert.All(rig.Outbox.Readings, x => Assert.Equal(I0 + 2 * Quarter, x.IntervalUnixMs));
    }

    [Fact]
    public async Task Missed_intervals_are_bounded_per_meter_oldest_forgotten()
    {
        await using var rig = new WorkerRig(1, null, new CollectionOptions { Retries = 0, OfflineThreshold = 100, MissedIntervalsPerMeter = 3 }, M("a"));

        await RunQuartersAsync(rig, jobs: 5, failures: 5);

        Assert.Equal([I0 + 2 * Quarter, I0 + 3 * Quarter, I0 + 4 * Quarter], rig.Worker.MissedIntervals(new MeterId("a")).Select(m => m.IntervalUnixMs));
    }

    [Fact]
    public async Task A_failed_catch_up_is_tried_again_then_given_up_and_never_costs_health()
    {
        await using var rig = new WorkerRig(1, null, new CollectionOptions { Retries = 0, OfflineThreshold = 100, CatchUpAttempts = 2 }, M("a"));
        rig.Reader.PastReadable[new MeterId("a")] = true;
        rig.Reader.FailPast = (_, _) => new MeterProtocolException("no_data", "interval not in the load profile");

        await RunQuartersAsync(rig, jobs: 2, failures: 1); // I0 missed, I1 read: the catch-up of I0 fails once
        await Eventually.TrueAsync(() => rig.JobsDone() == 3, "first catch-up");
        Assert.Equal(1, Assert.Single(rig.Worker.MissedIntervals(new MeterId("a"))).Attempts);

        rig.Enqueue("a", I0 + 2 * Quarter, I0 + 3 * Quarter); // next success: second and last try
        await Eventually.TrueAsync(() => rig.JobsDone() == 5, "second catch-up");

        Assert.Equal(2, rig.Reader.PastCalls.Count);
        Assert.Empty(rig.Worker.MissedIntervals(new MeterId("a")));
        var h = rig.Worker.Health(new MeterId("a"))!;
        Assert.True(h.Online);
        Assert.Equal(0, h.ConsecutiveFailures);
    }

    [Fact]
    public async Task Catch_up_reads_run_on_a_parallel_bus_without_overlapping_the_meter()
    {
        var observer = new RecordingObserver();
        await using var rig = new WorkerRig(4, observer, NoRetries, M("a"), M("b"));
        rig.Reader.PastReadable[new MeterId("a")] = true;
        rig.Reader.Script("b", async (call, q, ct) => { await Task.Yield(); return FakeMeterReader.Values(q, call); });

        await RunQuartersAsync(rig, jobs: 4, failures: 3);
        await Eventually.TrueAsync(() => rig.JobsDone() == 7, "three catch-ups");

        Assert.Equal(3, rig.Reader.PastCalls.Count);
        Assert.Equal(1, rig.Reader.MaxInFlightPerMeter);
        Assert.Equal(4, observer.Results.Count(x => x.Collected));
    }
}
