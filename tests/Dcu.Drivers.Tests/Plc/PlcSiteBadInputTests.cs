using System.Globalization;
using Dcu.Core.Collection;
using Dcu.Core.Model;
using Dcu.Drivers.Dlt645;
using Dcu.Drivers.Plc;
using Dcu.Drivers.Tests.Mqtt;
using Xunit.Abstractions;

namespace Dcu.Drivers.Tests.Plc;

/// <summary>
/// Bad input at site scale (200 meters, 5 % loss, scaled time as in <see cref="PlcCollectionRig"/>):
/// corrupted frames and line garbage all along, a module reset in the middle of a round, one meter
/// that answers every read with an error word and one whose replies carry another meter's address.
/// Each is counted, logged and retried, none is fatal, and what could not be collected is reported.
/// </summary>
[Collection(PlcSiteCollection.Name)]
public sealed class PlcSiteBadInputTests(ITestOutputHelper output)
{
    private const int ErrorMeter = 7;
    private const int ForeignMeter = 13;

    [Fact]
    public async Task Corruption_a_module_reset_error_replies_and_foreign_replies_are_survived_and_reported()
    {
        const int meters = 200, intervals = 2;
        var workerLog = new ListLogger<BusWorker>();
        var moduleLog = new ListLogger<PlcModule>();
        await using var rig = await PlcCollectionRig.CreateAsync(meters, intervals, 4, PlcSiteCollectionTests.LossyLine(seed: 99),
            [ObisCode.ActiveEnergyImport], workerLog, moduleLog);
        var sim = rig.Site.Sim;
        var errorAddress = Dlt645Address.Parse(PlcSite.Address(ErrorMeter));
        sim.AddMeter(PlcSite.Address(ErrorMeter), _ => Dlt645Frame.Build(errorAddress, Dlt645Control.ErrorReply(Dlt645Function.ReadData), [(byte)Dlt645ErrorWord.Other]));
        rig.Site.Meters[PlcSite.Address(ForeignMeter)].ReplyAs = Dlt645Address.Parse(PlcSite.Address(ForeignMeter + 1));

        using var noise = new CancellationTokenSource();
        var corrupted = 0;
        var corrupter = Task.Run(async () =>
        {
            while (!noise.IsCancellationRequested)
            {
                sim.CorruptNextFrame(); // the next frame the module sends (relay answer or command answer) fails its checksum
                // and garbage between frames: noise, then a start byte with a plausible length that swallows the next real frame's first bytes
                sim.InjectBytes([0xFE, 0x00, 0x68, 0x10, 0x00, 0x41]);
                corrupted++;
                try { await Task.Delay(100, noise.Token); } catch (OperationCanceledException) { }
            }
        });
        rig.Start();

        // Power-cycle the module 400 ms into the second round, with relays in flight.
        await rig.Time.WaitUntilAsync(rig.First + PlcCollectionRig.Interval + TimeSpan.FromMilliseconds(400));
        sim.Reset();

        await rig.Time.WaitUntilAsync(PlcCollectionRig.Midnight + TimeSpan.FromMilliseconds(400));
        var report = Assert.Single(rig.Quality.TakeDueReports());
        await noise.CancelAsync();
        await corrupter;
        await rig.StopAsync();

        Assert.True(rig.FirstIntervalRead, "the scheduler started after the first boundary: machine overloaded?");
        var module = rig.Site.Module.Counters;
        var worker = rig.Worker.Counters();
        var completeness = Assert.Single(report.Completeness);
        for (var k = 0; k < intervals; k++)
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"interval {k}: {completeness.PerInterval[k].OnTime}/{meters} on time, last reading {rig.RoundTime(k).TotalMilliseconds:0} ms after the boundary"));
        output.WriteLine($"corruptions {corrupted}; module: bad frames {module.BadFrames}, garbage {module.GarbageBytes}, resets {module.ModuleResets}, retries {module.Retries}, timeouts {module.Timeouts}, denies {module.Denies}");
        output.WriteLine($"reader failures: {string.Join(", ", rig.Reader.Counters.Failures.Select(f => $"{f.Key}={f.Value}"))}; worker: timeouts {worker.Timeouts}, " +
                         $"protocol {string.Join(", ", worker.ProtocolErrorsByReason.Select(f => $"{f.Key}={f.Value}"))}, failed jobs {worker.JobsFailed}, unexpected {worker.Unexpected}");
        output.WriteLine($"misses: {string.Join(", ", report.Meters.Where(m => m.Missed > 0).Select(m => $"{m.Meter}x{m.Missed}"))}");

        // Counted ...
        Assert.True(module.BadFrames > 0 && module.GarbageBytes > 0, "corruption not seen");
        Assert.Equal(1, module.ModuleResets); // one power cycle, one reset: the relays denied "unknown node" during the re-sync do not count again
        Assert.True(rig.Reader.Counters.FailuresOf("error_reply") >= 2 * intervals, "error replies not counted (each job tries twice)");
        Assert.True(rig.Reader.Counters.FailuresOf("wrong_address") >= 2 * intervals, "foreign replies not counted");
        Assert.True(worker.ProtocolErrorsByReason.GetValueOrDefault("error_reply") >= 2 * intervals);
        Assert.True(worker.ProtocolErrorsByReason.GetValueOrDefault("wrong_address") >= 2 * intervals);
        // ... logged ...
        Assert.Contains(workerLog.Lines, l => l.Contains("protocol error error_reply", StringComparison.Ordinal));
        Assert.Contains(workerLog.Lines, l => l.Contains("protocol error wrong_address", StringComparison.Ordinal));
        Assert.Contains(moduleLog.Lines, l => l.Contains("module reset detected", StringComparison.Ordinal));
        Assert.Contains(moduleLog.Lines, l => l.Contains("bad frame", StringComparison.Ordinal));
        // ... never fatal: nothing unexpected, the module re-synced its route table, the worker kept going.
        Assert.Equal(0, worker.Unexpected);
        Assert.Equal(meters, sim.RouteTable.Count);
        Assert.True(rig.Site.Module.RecoveryIdle.IsCompleted);

        // ... and reported: the two broken meters miss every interval, by name, in the day's report.
        // The others are collected in every interval, the reset round included, but for the odd meter
        // whose relays failed 4 times in a row (loss + corruption + the reset): at most 1 % per interval,
        // each miss in the report, with no reading in the outbox, and counted as a failed job.
        Assert.Equal(meters * intervals, report.Expected);
        var missing = report.Meters.Where(m => m.Missed > 0).ToDictionary(m => m.Meter.Value);
        Assert.Equal(intervals, missing[PlcSite.ArchiveEntry(ErrorMeter).Id.Value].Missed);
        Assert.Equal(intervals, missing[PlcSite.ArchiveEntry(ForeignMeter).Id.Value].Missed);
        Assert.All(completeness.PerInterval, ic => Assert.InRange(ic.OnTime, meters - 4, meters - 2));
        foreach (var m in missing.Values)
            foreach (var interval in m.Tasks.Single().MissedUnixMs)
                Assert.DoesNotContain(rig.Outbox.Readings, r => r.Meter == m.Meter && r.IntervalUnixMs == interval);
        Assert.True(worker.JobsFailed >= missing.Values.Sum(m => m.Missed));
        Assert.Equal(report.Expected - missing.Values.Sum(m => m.Missed), report.Collected);
    }
}
