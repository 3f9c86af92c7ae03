using System.Text.Json;
using Dcu.Core.Collection;
using Dcu.Core.Events;
using Dcu.Core.Model;
using Dcu.Core.Tests.Collection;
using Dcu.Core.Uplink;
using Dcu.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Dcu.Core.Tests.Events;

public sealed class CollectionQualityTests
{
    private const long Quarter = 15 * 60_000;
    private static readonly DateTimeOffset Day1 = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly long Day1Ms = Day1.ToUnixTimeMilliseconds();
    private static readonly MeterId A = new("a"), B = new("b"), C = new("c");

    private static CollectionTask Energy => new("energy", [], [ObisCode.ActiveEnergyImport], TimeSpan.FromMinutes(15));

    private static (CollectionQuality Quality, FakeTimeProvider Time, FakeOutbox Outbox) Create(DateTimeOffset start, IReadOnlyList<CollectionTask>? tasks = null, int meters = 3)
    {
        var time = new FakeTimeProvider(start);
        var outbox = new FakeOutbox();
        var ids = meters == 3 ? new[] { A, B, C } : Enumerable.Range(0, meters).Select(i => new MeterId("m" + i)).ToArray();
        return (new CollectionQuality(tasks ?? [Energy], ids, outbox, new CollectionQualityOptions { ReportDelay = TimeSpan.FromMinutes(30) }, time), time, outbox);
    }

    /// <summary>Reports interval k of day 1 for the energy task, collected on time unless <paramref name="late"/>.</summary>
    private static void Collect(CollectionQuality q, MeterId meter, int k, bool late = false, bool catchUp = false, string task = "energy", long intervalMs = Quarter)
    {
        var interval = Day1Ms + k * intervalMs;
        var deadline = interval + intervalMs;
        q.OnScheduledJob(new CollectionJobResult(meter, task, interval, deadline, late ? deadline + 1 : interval + 1000, CollectionOutcome.Collected, catchUp));
    }

    /// <summary>A full day 1: a all on time; b misses 10-12; c misses 0-5 and collects 50-53 late.</summary>
    private static void FeedDay1(CollectionQuality q)
    {
        for (var k = 0; k < 96; k++)
        {
            Collect(q, A, k);
            if (k is < 10 or > 12) Collect(q, B, k);
            if (k > 5) Collect(q, C, k, late: k is >= 50 and <= 53);
            q.OnScheduledJob(new CollectionJobResult(B, "energy", Day1Ms + k * Quarter, 0, 0, CollectionOutcome.Failed)); // failures change nothing
        }
    }

    [Fact]
    public void The_day_report_counts_expected_collected_on_time_and_lists_the_misses()
    {
        var (q, time, _) = Create(Day1.AddMinutes(-10)); // started the evening before: day 1 is whole
        time.SetUtcNow(Day1.AddHours(12));
        FeedDay1(q);

        time.SetUtcNow(Day1.AddDays(1).AddMinutes(29));
        Assert.Empty(q.TakeDueReports()); // the report delay has not passed
        time.SetUtcNow(Day1.AddDays(1).AddMinutes(30));
        var report = Assert.Single(q.TakeDueReports());

        Assert.Equal(new DateOnly(2026, 3, 1), report.Date);
        Assert.Equal(Day1Ms, report.CountedFromUnixMs);
        Assert.Equal((288L, 279L, 275L), (report.Expected, report.Collected, report.OnTime));
        Assert.Equal(279.0 / 288, report.SiteRate, 10);
        Assert.Equal(["a", "b", "c"], report.Meters.Select(m => m.Meter.Value));
        Assert.Equal([0, 3, 6], report.Meters.Select(m => m.Missed));
        var b = Assert.Single(report.Meters[1].Tasks);
        Assert.Equal([Day1Ms + 10 * Quarter, Day1Ms + 11 * Quarter, Day1Ms + 12 * Quarter], b.MissedUnixMs);
        Assert.Equal(86, report.Meters[2].OnTime); // 90 collected, 4 of them late

        var ic = Assert.Single(report.Completeness);
        Assert.Equal((96, 96 - 13), (ic.Intervals, ic.IntervalsAtTarget)); // b 10-12, c 0-5 missed, c 50-53 late
        Assert.Equal(2.0 / 3, ic.MinShare, 10);
        Assert.Equal(2, ic.PerInterval[50].OnTime);
        Assert.Equal(3, ic.PerInterval[60].OnTime);
        Assert.Empty(q.TakeDueReports()); // once only
        Assert.Same(report, q.LastReport);
    }

    [Fact]
    public async Task The_report_loop_publishes_the_report_on_the_quality_topic_through_the_outbox()
    {
        var (q, time, outbox) = Create(Day1.AddMinutes(-10));
        time.SetUtcNow(Day1.AddHours(12));
        FeedDay1(q);
        using var stop = new CancellationTokenSource();
        var loop = q.RunAsync(stop.Token);

        time.SetUtcNow(Day1.AddDays(1).AddMinutes(29));
        Assert.Empty(outbox.Messages); // not before 30 min past midnight
        time.SetUtcNow(Day1.AddDays(1).AddMinutes(31));
        await Eventually.TrueAsync(() => outbox.Messages.Count == 1, "quality report");

        var e = Assert.Single(outbox.Messages);
        Assert.Equal(QualityReportEncoder.TopicSuffix, e.TopicSuffix);
        var detail = System.Text.Encoding.UTF8.GetString(e.Payload.Span);
        using var doc = JsonDocument.Parse(detail);
        var root = doc.RootElement;
        Assert.Equal("2026-03-01", root.GetProperty("day").GetString());
        Assert.Equal((288, 279, 275), (root.GetProperty("e").GetInt32(), root.GetProperty("c").GetInt32(), root.GetProperty("ot").GetInt32()));
        Assert.Equal(Math.Round(279.0 / 288, 4), root.GetProperty("rate").GetDouble());
        Assert.Equal((3, 1), (root.GetProperty("meters").GetInt32(), root.GetProperty("complete").GetInt32()));
        var task = root.GetProperty("tasks")[0];
        Assert.Equal(("energy", 900, 96, 83), (task.GetProperty("t").GetString(), task.GetProperty("i").GetInt32(), task.GetProperty("n").GetInt32(), task.GetProperty("met").GetInt32()));
        var miss = root.GetProperty("miss").EnumerateArray().Select(m => (m.GetProperty("m").GetString(), m.GetProperty("x").GetString())).ToArray();
        Assert.Equal([("b", "10-12"), ("c", "0-5")], miss);
        Assert.True(detail.Length < 600, detail);
        Dcu.Testing.ContractSchemas.AssertValid("quality.schema.json", detail);

        await stop.CancelAsync();
        await loop.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void A_mid_day_start_expects_only_the_intervals_due_after_it()
    {
        var daily = new CollectionTask("daily", [A], [ObisCode.ActiveEnergyImport], TimeSpan.FromDays(1));
        var offset = new CollectionTask("energy-2m", [], [ObisCode.ActiveEnergyImport], TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(2));
        var (q, time, _) = Create(Day1.AddHours(10).AddMinutes(7), [Energy, offset, daily]);

        // 10:15 is the first interval due after 10:07 (10:15 for energy, 10:17 for energy-2m; 10:02 was before the start).
        Collect(q, A, 41);
        time.SetUtcNow(Day1.AddHours(12));
        var s = q.Snapshot();
        // Intervals whose own interval has ended by 12:00: energy 10:15..11:45 (7), energy-2m 10:15..11:30 (6, 11:45's ends 12:02).
        Assert.Equal(3 * 7 + 3 * 6, s.Expected);
        Assert.Equal(1, s.Collected);
        Assert.Equal(1.0 / 39, s.SiteRate, 10);
        Assert.Equal(new DateOnly(2026, 3, 1), s.Date);

        time.SetUtcNow(Day1.AddDays(1).AddHours(1));
        var report = Assert.Single(q.TakeDueReports());
        Assert.Equal(q.CountingSinceUnixMs, report.CountedFromUnixMs);
        Assert.Equal(2 * 3 * (96 - 41), report.Expected); // the daily task's 00:00 read was before the start: none expected
        Assert.Equal(0, report.Meters[0].Tasks.Single(t => t.Task == "daily").Expected);
        Assert.Equal(55, report.Completeness[0].Intervals);

        // The next day is whole.
        time.SetUtcNow(Day1.AddDays(2).AddHours(1));
        var next = Assert.Single(q.TakeDueReports());
        Assert.Equal(2 * 3 * 96 + 1, next.Expected);
        Assert.Equal(0, next.Collected);
    }

    [Fact]
    public void The_per_interval_completeness_target_is_995_per_mille_of_the_meters()
    {
        var (q, time, _) = Create(Day1.AddMinutes(-10), meters: 200);
        time.SetUtcNow(Day1.AddHours(1));
        for (var m = 0; m < 200; m++)
        {
            if (m != 7) Collect(q, new MeterId("m" + m), 0); // interval 0: 199/200 = 99.5 % on time
            if (m is not (7 or 8)) Collect(q, new MeterId("m" + m), 1); // interval 1: 99.0 %
            Collect(q, new MeterId("m" + m), 2, late: m == 9, catchUp: m == 10); // interval 2: collected, 2 not on time
        }
        var s = q.Snapshot(); // 01:00: intervals 00:00..00:45 have ended
        var c = Assert.Single(s.Completeness);
        Assert.Equal([0.995, 0.99, 0.99, 0.0], c.PerInterval.Select(i => i.Share));
        Assert.Equal(1, c.IntervalsAtTarget);
        Assert.Equal(0, c.MinShare);
        Assert.Equal(199 + 198 + 200, s.Collected);
        Assert.Equal(199 + 198 + 198, s.OnTime);
    }

    [Fact]
    public void Only_today_and_yesterday_are_kept_and_an_unreported_old_day_is_still_reported()
    {
        var (q, time, _) = Create(Day1.AddMinutes(-10));
        time.SetUtcNow(Day1.AddHours(1));
        Collect(q, A, 0);
        time.SetUtcNow(Day1.AddDays(1).AddHours(1));
        Collect(q, A, 96 + 0); // day 2
        Assert.Equal(2, q.DaysKept);

        time.SetUtcNow(Day1.AddDays(2).AddMinutes(5)); // nobody took day 1's report; day 3 has begun
        Collect(q, A, 2 * 96); // day 3: day 1 is dropped
        Collect(q, A, 1); // a late result for day 1: ignored
        Assert.Equal(2, q.DaysKept);
        Assert.Equal(1, q.Ignored);

        var reports = q.TakeDueReports(); // day 1 from the pending list; day 2's delay has not passed
        var r = Assert.Single(reports);
        Assert.Equal((new DateOnly(2026, 3, 1), 1L), (r.Date, r.Collected));
        time.SetUtcNow(Day1.AddDays(2).AddMinutes(30));
        Assert.Equal(new DateOnly(2026, 3, 2), Assert.Single(q.TakeDueReports()).Date);
    }

    [Fact]
    public void Catch_up_collections_count_as_collected_but_not_on_time_and_unknown_results_are_ignored()
    {
        var (q, time, _) = Create(Day1.AddMinutes(-10));
        time.SetUtcNow(Day1.AddHours(1));
        Collect(q, A, 0, catchUp: true);
        Collect(q, new MeterId("stranger"), 1);
        Collect(q, A, 1, task: "no-such-task");
        q.OnScheduledJob(new CollectionJobResult(A, "energy", Day1Ms + 1, Day1Ms + Quarter, Day1Ms + 2, CollectionOutcome.Collected)); // off the grid

        var m = q.Snapshot().Meters[0];
        Assert.Equal((4, 1, 0), (m.Expected, m.Collected, m.OnTime));
        Assert.Equal(3, q.Ignored);
    }

    [Fact]
    public async Task A_bus_worker_feeds_the_tracker()
    {
        var (q, time, _) = Create(WorkerRig.Start);
        var forward = new ForwardingObserver(q);
        await using var rig = new WorkerRig(2, forward, null, WorkerRig.M("a"), WorkerRig.M("b"), WorkerRig.M("c"));
        rig.Reader.Script("c", FakeMeterReader.TimesOut);
        var interval = Day1Ms + 41 * Quarter; // 10:15
        foreach (var id in new[] { "a", "b", "c" }) rig.Enqueue(id, interval, interval + Quarter, task: "energy");
        await Eventually.TrueAsync(() => rig.JobsDone() == 3, "jobs done");

        time.SetUtcNow(Day1.AddHours(10).AddMinutes(30));
        var s = q.Snapshot();
        Assert.Equal((3L, 2L, 2L), (s.Expected, s.Collected, s.OnTime));
        Assert.Equal([1, 1, 0], s.Meters.Select(m => m.Collected));
    }

    private sealed class ForwardingObserver(ICollectionObserver target) : ICollectionObserver
    {
        public void OnScheduledJob(CollectionJobResult result) => target.OnScheduledJob(result);
    }
}
