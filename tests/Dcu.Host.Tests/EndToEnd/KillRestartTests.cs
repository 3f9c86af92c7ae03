using System.Globalization;
using System.Text.RegularExpressions;
using Dcu.Testing;
using Xunit.Abstractions;

namespace Dcu.Host.Tests.EndToEnd;

/// <summary>
/// The DCU collects with the broker down, is SIGKILLed mid-write (several times, at different
/// moments within an interval) and restarted on the same data directory: the outbox opens cleanly,
/// still holds everything committed before each kill, and delivers it once the broker is up.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed partial class KillRestartTests(ITestOutputHelper output)
{
    /// <summary>Readings of the last moments before a kill may not be committed yet.</summary>
    private static readonly TimeSpan Uncommitted = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task Readings_committed_before_each_kill_survive_and_arrive_after_the_restart()
    {
        await using var site = await DcuSite.StartAsync("kill", TimeSpan.FromSeconds(1));
        var intervalMs = (long)site.Interval.TotalMilliseconds;
        await site.Broker.StopAsync();

        // Intervals each killed run must have committed: from its first full interval to shortly before the kill.
        var expected = new List<(long From, long To)>();
        long expectedCount = 0;
        double[] killPhases = [0.05, 0.4, 0.75]; // seconds after an interval boundary: mid-read, mid-commit, idle
        for (var run = 0; run < killPhases.Length; run++)
        {
            var dcu = site.StartDcu();
            var opened = await PendingReadingsAsync(dcu);
            output.WriteLine($"run {run}: outbox opened with {opened} readings pending (at least {expectedCount} expected)");
            Assert.True(opened >= expectedCount, $"run {run}: the outbox lost readings across the kill: {opened} pending, {expectedCount} committed before\n{dcu.OutputText}");
            await dcu.WaitForOutputAsync("Collection scheduler started");
            var started = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            var size = DataSize(site);
            await Eventually.TrueAsync(() => DataSize(site) > size, "the outbox files to grow while the broker is down");

            // Kill at a chosen phase within an interval, a few intervals in.
            var killAt = ((started / intervalMs) + 4) * intervalMs + (long)(killPhases[run] * 1000);
            await Eventually.TrueAsync(() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() >= killAt, "the moment of the kill", TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(5));
            await dcu.KillHardAsync();
            var killed = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            var from = ((started + 200) / intervalMs + 1) * intervalMs;
            var to = (killed - (long)Uncommitted.TotalMilliseconds) / intervalMs * intervalMs;
            expected.Add((from, to));
            expectedCount += ((to - from) / intervalMs + 1) * DcuSite.MeterIds.Count() * DcuSite.Quantities.Length;
            Assert.DoesNotContain(dcu.Output, IsError);
            output.WriteLine($"run {run}: killed at {killed} ({killPhases[run]:0.00} s into an interval); expecting intervals {from}..{to}");
        }

        // Broker up, a DCP listening, and the DCU once more on the same data directory.
        await site.Broker.StartAsync();
        await using var dcp = await site.SubscribeAsync("dcp");
        var finalStart = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var final = site.StartDcu();
        try
        {
            var pending = await PendingReadingsAsync(final);
            Assert.True(pending >= expectedCount, $"the outbox lost readings across the kills: {pending} pending, {expectedCount} committed before\n{final.OutputText}");
            await final.WaitForOutputAsync("MQTT uplink connected");
            var restarted = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

            List<ReceivedReading> Got() => ReceivedReading.Parse(dcp, site.ReadingsTopic, site.Id);
            IEnumerable<string> Missing()
            {
                var got = Got();
                foreach (var meter in DcuSite.MeterIds)
                {
                    var intervals = ReceivedReading.CompleteIntervals(got, meter);
                    foreach (var (from, to) in expected)
                        for (var t = from; t <= to; t += intervalMs)
                            if (!intervals.Contains(t)) yield return $"{meter}@{t}";
                    if (!intervals.Any(t => t > restarted)) yield return $"{meter}@(new after {restarted})";
                }
                // Everything the outbox held at the restart is delivered, not only the intervals we can be sure of.
                var before = got.Where(r => r.IntervalUnixMs < finalStart).Select(r => r.Key).Distinct().Count();
                if (before < pending) yield return $"{pending - before} of the {pending} pending readings";
            }
            await Eventually.TrueAsync(() => !Missing().Any(), "every interval committed before the kills, and new ones",
                TimeSpan.FromSeconds(30));

            Assert.False(final.HasExited, "the DCU must run on after opening a killed outbox\n" + final.OutputText);
            Assert.DoesNotContain(final.Output, IsError);
            var got = Got();
            var duplicates = got.GroupBy(r => r.Key).Sum(g => g.Count() - 1);
            output.WriteLine($"{got.Count} readings received after the restarts, {duplicates} duplicates");
            Assert.True(duplicates <= 2 * DcuSite.MeterIds.Count() * DcuSite.Quantities.Length, $"{duplicates} duplicate readings");
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message}; still missing: {string.Join(", ", MissingSummary(site, dcp, expected, intervalMs))}\n{final.OutputText}", ex);
        }
        finally
        {
            output.WriteLine(final.OutputText);
        }
    }

    private static IEnumerable<string> MissingSummary(DcuSite site, MosquittoSubscriber dcp, List<(long From, long To)> expected, long intervalMs)
    {
        var got = ReceivedReading.Parse(dcp, site.ReadingsTopic, site.Id);
        foreach (var meter in DcuSite.MeterIds)
        {
            var intervals = ReceivedReading.CompleteIntervals(got, meter);
            foreach (var (from, to) in expected)
                for (var t = from; t <= to; t += intervalMs)
                    if (!intervals.Contains(t)) yield return $"{meter}@{t}";
        }
    }

    /// <summary>Waits for "Outbox ... opened: N readings" and returns N.</summary>
    private static async Task<long> PendingReadingsAsync(DcuProcess dcu)
    {
        await dcu.WaitForOutputAsync(" opened: ");
        var line = dcu.Output.First(l => l.Contains(" opened: ", StringComparison.Ordinal));
        return long.Parse(OpenedLine().Match(line).Groups[1].Value, CultureInfo.InvariantCulture);
    }

    private static long DataSize(DcuSite site) =>
        Directory.Exists(site.DataDirectory) ? Directory.EnumerateFiles(site.DataDirectory).Sum(f => new FileInfo(f).Length) : 0;

    /// <summary>Errors of the DCU itself; the refused MQTT connects while the broker is down are warnings.</summary>
    private static bool IsError(string line) =>
        line.Contains("fail:", StringComparison.Ordinal) || line.Contains("crit:", StringComparison.Ordinal)
        || line.StartsWith("dcu:", StringComparison.Ordinal);

    [GeneratedRegex(@"opened: (\d+) readings")]
    private static partial Regex OpenedLine();
}
