using Dcu.Core.Collection;
using Dcu.Core.Events;
using Dcu.Core.Model;
using Dcu.Core.Tests.Collection;
using Microsoft.Extensions.Time.Testing;

namespace Dcu.Core.Tests.Events;

/// <summary>Meters entering and leaving the archive while the day is counted.</summary>
public sealed class CollectionQualityArchiveTests
{
    private const long Quarter = 15 * 60_000;
    private static readonly DateTimeOffset Day1 = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly long Day1Ms = Day1.ToUnixTimeMilliseconds();
    private static readonly MeterId A = new("a"), B = new("b"), N = new("new");

    private static void Collect(CollectionQuality q, MeterId meter, int k) =>
        q.OnScheduledJob(new CollectionJobResult(meter, "energy", Day1Ms + k * Quarter, Day1Ms + (k + 1) * Quarter, Day1Ms + k * Quarter + 1000, CollectionOutcome.Collected, false));

    [Fact]
    public void An_added_meter_is_expected_from_its_first_due_interval_and_a_removed_one_no_longer()
    {
        var time = new FakeTimeProvider(Day1.AddMinutes(-10));
        var q = new CollectionQuality([new CollectionTask("energy", [], [ObisCode.ActiveEnergyImport], TimeSpan.FromMinutes(15))], [A, B], new FakeOutbox(), null, time);
        time.SetUtcNow(Day1.AddHours(12).AddMinutes(7)); // 12:07: interval 48 (12:00) is the last already due
        for (var k = 0; k < 49; k++) { Collect(q, A, k); Collect(q, B, k); }

        q.MeterAdded(N, time.GetUtcNow().ToUnixTimeMilliseconds());
        q.MeterRemoved(B);
        Collect(q, B, 49); // ignored: b left the archive
        for (var k = 49; k < 96; k++) { Collect(q, A, k); Collect(q, N, k); }

        time.SetUtcNow(Day1.AddDays(1).AddHours(1));
        var report = Assert.Single(q.TakeDueReports());

        Assert.Equal(["a", "new"], report.Meters.Select(m => m.Meter.Value));
        Assert.Equal((96, 96), (report.Meters[0].Expected, report.Meters[0].Collected));
        Assert.Equal((47, 47, 0), (report.Meters[1].Expected, report.Meters[1].Collected, report.Meters[1].Missed)); // from 12:15 (due after 12:07) on
        Assert.Equal(1.0, report.SiteRate);
        var completeness = Assert.Single(report.Completeness);
        Assert.Equal(1, completeness.PerInterval[48].Meters); // a only: b is gone, new not yet expected
        Assert.Equal(2, completeness.PerInterval[49].Meters);
        Assert.Equal(1.0, completeness.MinShare);
        Assert.Equal(1, q.Ignored);
    }

    [Fact]
    public void A_task_added_while_running_is_expected_from_its_next_interval_and_a_deleted_one_until_it_went()
    {
        var time = new FakeTimeProvider(Day1.AddMinutes(-10));
        var energy = new CollectionTask("energy", [], [ObisCode.ActiveEnergyImport], TimeSpan.FromMinutes(15));
        var q = new CollectionQuality([energy], [A], new FakeOutbox(), null, time);

        // 06:07: an hourly task is added (tasks.add); its first interval counted is 07:00.
        time.SetUtcNow(Day1.AddHours(6).AddMinutes(7));
        var hourly = new CollectionTask("hourly", [], [ObisCode.VoltageL1], TimeSpan.FromHours(1));
        q.TaskAdded(hourly, time.GetUtcNow().ToUnixTimeMilliseconds());
        for (var h = 7; h < 24; h++)
            q.OnScheduledJob(new CollectionJobResult(A, "hourly", Day1Ms + h * 4 * Quarter, Day1Ms + (h + 1) * 4 * Quarter, Day1Ms + h * 4 * Quarter + 1000, CollectionOutcome.Collected, false));

        // 12:07: the 15-minute task is deleted (tasks.delete): intervals up to 12:00 are still expected, none after.
        for (var k = 0; k < 49; k++) Collect(q, A, k);
        time.SetUtcNow(Day1.AddHours(12).AddMinutes(7));
        q.TaskRemoved("energy", time.GetUtcNow().ToUnixTimeMilliseconds());
        Collect(q, A, 50); // a late result of the deleted task: not expected, not counted

        time.SetUtcNow(Day1.AddDays(1).AddHours(1));
        var report = Assert.Single(q.TakeDueReports());
        var tasks = report.Meters.Single().Tasks.ToDictionary(t => t.Task);
        Assert.Equal((49, 49), (tasks["energy"].Expected, tasks["energy"].Collected));
        Assert.Equal((17, 17), (tasks["hourly"].Expected, tasks["hourly"].Collected));
        Assert.Equal(66, report.Expected);
        Assert.Equal(1.0, report.SiteRate);
        Assert.Equal(["energy", "hourly"], report.Completeness.Select(c => c.Task));

        // The next day: only the hourly task is expected.
        time.SetUtcNow(Day1.AddDays(2).AddHours(1));
        var next = Assert.Single(q.TakeDueReports());
        Assert.Equal(["hourly"], next.Completeness.Select(c => c.Task));
        Assert.Equal(24, next.Expected);
    }
}
