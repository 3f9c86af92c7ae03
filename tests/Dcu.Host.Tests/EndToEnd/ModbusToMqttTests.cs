using System.Text.Json;
using Dcu.Testing;
using Xunit.Abstractions;

namespace Dcu.Host.Tests.EndToEnd;

/// <summary>
/// pymodbus SDM630s on a pty -> the real dcu process (ModbusRtu bus, 1-s task) -> Mosquitto -> a
/// mosquitto_sub "DCP": the values the meters serve arrive with their units, on aligned intervals.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class ModbusToMqttTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Readings_of_every_meter_arrive_with_the_right_values_units_and_aligned_intervals()
    {
        await using var site = await DcuSite.StartAsync("m2m", TimeSpan.FromSeconds(1));
        await using var dcp = await site.SubscribeAsync("dcp");
        var dcu = site.StartDcu();

        await Eventually.TrueAsync(
            () => DcuSite.MeterIds.All(m => ReceivedReading.CompleteIntervals(ReceivedReading.Parse(dcp, site.ReadingsTopic, site.Id), m).Count >= 3),
            "three complete intervals of every meter on " + site.ReadingsTopic + "\n" + dcu.OutputText, TimeSpan.FromSeconds(30));

        var readings = ReceivedReading.Parse(dcp, site.ReadingsTopic, site.Id);
        var intervalMs = (long)site.Interval.TotalMilliseconds;
        Assert.Equal(DcuSite.MeterIds.Order(), readings.Select(r => r.Meter).Distinct().Order());
        foreach (var r in readings)
        {
            Assert.True(r.IntervalUnixMs % intervalMs == 0, $"interval time {r.IntervalUnixMs} of {r} is not aligned to {intervalMs} ms");
            Assert.InRange(r.ReadUnixMs - r.IntervalUnixMs, 0, 10_000);
            Assert.Equal(0, r.Flags & 1); // the DCU clock is valid here
            Assert.NotNull(r.Value);
            var (value, unit) = r.Obis switch
            {
                "1.0.32.7.0" => (PymodbusServer.VoltageL1, "V"),
                "1.0.1.8.0" => (PymodbusServer.ImportKwh, "kWh"),
                "1.0.14.7.0" => (PymodbusServer.Frequency, "Hz"),
                _ => throw new Xunit.Sdk.XunitException($"unexpected quantity {r.Obis}: the task reads only {string.Join(", ", DcuSite.Quantities)}"),
            };
            Assert.Equal(unit, r.Unit);
            Assert.Equal((double)value, r.Value!.Value, 3); // float32 on the wire: 230.2f is 230.19999...
        }

        // Status is retained: a DCP that connects now still learns the DCU is online.
        await using var late = await site.SubscribeAsync("late");
        await Eventually.TrueAsync(() => late.PayloadsOn("/status").Any(p => State(p) == "online"),
            "the retained status 'online' for a late subscriber");

        // A clean stop (SIGTERM, as systemd does) says goodbye with the offline status.
        Assert.Equal(0, await dcu.StopAsync(TimeSpan.FromSeconds(30)));
        await Eventually.TrueAsync(() => dcp.PayloadsOn("/status").Any(p => State(p) == "offline"), "status 'offline' after SIGTERM\n" + dcu.OutputText);
        output.WriteLine(dcu.OutputText);
        Assert.DoesNotContain(dcu.Output, l => l.Contains("fail:", StringComparison.Ordinal) || l.Contains("crit:", StringComparison.Ordinal));
    }

    private static string? State(string payload)
    {
        using var doc = JsonDocument.Parse(payload);
        return doc.RootElement.TryGetProperty("state", out var s) ? s.GetString() : null;
    }
}
