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
}
