using Dcu.Testing;
using Xunit.Abstractions;

namespace Dcu.Host.Tests.EndToEnd;

/// <summary>
/// The broker dies for a few intervals while the DCU keeps collecting into its outbox; when it is
/// back, every (meter, quantity, interval) from before, during and after the outage reaches the DCP,
/// with no gaps and only a few duplicates (at-least-once).
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class BrokerOutageTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Every_interval_from_before_during_and_after_an_outage_arrives()
    {
        await using var site = await DcuSite.StartAsync("outage", TimeSpan.FromSeconds(1));
        var intervalMs = (long)site.Interval.TotalMilliseconds;
        var before = await site.SubscribeAsync("dcp1");
        var dcu = site.StartDcu();
        try
        {
            List<ReceivedReading> Got(MosquittoSubscriber s) => ReceivedReading.Parse(s, site.ReadingsTopic, site.Id);

            // Readings flow; stop the broker between two publishes, once the newest interval is
            // complete for every meter (so no batch is half-delivered to the subscriber at the kill).
            await Eventually.TrueAsync(() => DcuSite.MeterIds.All(m => ReceivedReading.CompleteIntervals(Got(before), m).Count >= 3),
                "three complete intervals of every meter before the outage\n" + dcu.OutputText, TimeSpan.FromSeconds(30));
            await Eventually.TrueAsync(() =>
            {
                var got = Got(before);
                var newest = got.Max(r => r.IntervalUnixMs);
                return got.Count(r => r.IntervalUnixMs == newest) == DcuSite.MeterIds.Count() * DcuSite.Quantities.Length;
            }, "the newest interval complete for every meter");
            await site.Broker.StopAsync();
            var outageStart = DateTimeOffset.UtcNow;
            var lastBefore = Got(before).Max(r => r.IntervalUnixMs);

            // The DCU notices, and keeps collecting for a few intervals with nowhere to send them.
            await dcu.WaitForOutputAsync("MQTT uplink lost");
            await Eventually.TrueAsync(() => DateTimeOffset.UtcNow >= outageStart.AddSeconds(4), "four intervals of outage");
            await before.DisposeAsync(); // without broker persistence its session is gone anyway

            // Back up. Freeze the DCU meanwhile so the new DCP subscription exists before the DCU
            // reconnects and drains its outbox (mosquitto keeps no session across the restart).
            await DcuSite.SignalAsync(dcu, "STOP");
            MosquittoSubscriber after;
            try
            {
                await site.Broker.StartAsync();
                after = await site.SubscribeAsync("dcp2");
            }
            finally
            {
                await DcuSite.SignalAsync(dcu, "CONT");
            }
            await using var _ = after;
            var restarted = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

            await Eventually.TrueAsync(
                () => DcuSite.MeterIds.All(m => ReceivedReading.CompleteIntervals(Got(after), m).Count(t => t > restarted + intervalMs) >= 2),
                "two complete intervals of every meter after the broker came back\n" + dcu.OutputText, TimeSpan.FromSeconds(30));

            var all = Got(before).Concat(Got(after)).ToList();
            foreach (var meter in DcuSite.MeterIds)
            {
                var intervals = ReceivedReading.CompleteIntervals(all, meter);
                var first = intervals.Min;
                var last = intervals.Max;
                var missing = new List<long>();
                for (var t = first; t <= last; t += intervalMs)
                    if (!intervals.Contains(t)) missing.Add(t);
                Assert.True(missing.Count == 0,
                    $"{meter}: intervals {first}..{last} have gaps at {string.Join(", ", missing)} (outage from {outageStart.ToUnixTimeMilliseconds()} to {restarted})\n{dcu.OutputText}");
                var during = intervals.Count(t => t > lastBefore && t < restarted);
                Assert.True(during >= 3, $"{meter}: only {during} intervals collected during the outage");
                Assert.Contains(intervals, t => t > restarted);
            }

            // At-least-once: a batch whose PUBACK died with the broker is sent again. Count the copies.
            var duplicates = all.GroupBy(r => r.Key).Sum(g => g.Count() - 1);
            output.WriteLine($"{all.Count} readings received, {duplicates} duplicates, outage {outageStart.ToUnixTimeMilliseconds()}..{restarted}");
            Assert.True(duplicates <= 2 * DcuSite.MeterIds.Count() * DcuSite.Quantities.Length,
                $"{duplicates} duplicate readings: more than two intervals' worth were re-sent");
            Assert.All(all, r => Assert.Equal(r.Obis switch { "1.0.32.7.0" => PymodbusServer.VoltageL1, "1.0.1.8.0" => PymodbusServer.ImportKwh, _ => PymodbusServer.Frequency }, r.Value!.Value, 3));
            Assert.False(dcu.HasExited, "the DCU must ride out a broker outage\n" + dcu.OutputText);
        }
        finally
        {
            output.WriteLine(dcu.OutputText);
        }
    }
}
