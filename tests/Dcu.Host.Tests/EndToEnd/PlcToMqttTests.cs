using System.Text.Json;
using Dcu.Testing;
using Xunit.Abstractions;

namespace Dcu.Host.Tests.EndToEnd;

/// <summary>
/// DL/T 645 meters behind a simulated PLC module on a lossy, slow line (module start-up,
/// route-table sync, relayed reads, 4 in flight), or on a simulated RS485 line -> the real dcu
/// process -> Mosquitto -> mosquitto_sub: every meter's readings arrive with their units, and the
/// status reports collection quality.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class PlcToMqttTests(ITestOutputHelper output)
{
    private const int MeterCount = 20;

    [Theory]
    [InlineData("SimulatedPlc")]
    [InlineData("SimulatedDlt645")]
    public async Task Dlt645_meters_are_read_and_their_readings_and_quality_arrive(string busType)
    {
        var plc = busType == "SimulatedPlc";
        var dir = Directory.CreateTempSubdirectory("dcu-plc-e2e-");
        await using var broker = await MosquittoBroker.StartNewAsync();
        var id = "plc-e2e-" + Guid.NewGuid().ToString("N")[..6];
        var config = new
        {
            Dcu = new { Id = id, DataDirectory = Path.Combine(dir.FullName, "data"), HeartbeatInterval = "00:00:01" },
            Buses = new[]
            {
                new Dictionary<string, object>
                {
                    ["Name"] = "plc-1",
                    ["Type"] = busType,
                    ["MaxConcurrency"] = plc ? 4 : 1,
                    ["ResponseTimeout"] = "00:00:01",
                    ["Retries"] = 2,
                    ["BaudRate"] = plc ? 9600 : 115200, // a fast simulated RS485 line keeps 20 meters within 2 s
                    ["Simulation"] = new { LatencyMin = "00:00:00.020", LatencyMax = "00:00:00.060", LossRate = plc ? 0.05 : 0 },
                },
            },
            Meters = Enumerable.Range(1, MeterCount).Select(i => new { Id = $"plc-{i:D2}", Bus = "plc-1", Address = $"{1000 + i:D12}" }).ToArray(),
            Collection = new { Tasks = new[] { new { Name = "profile", Interval = "00:00:02", Quantities = new[] { "1.0.1.8.0", "1.0.32.7.0" } } } },
            Mqtt = new { Host = "127.0.0.1", Port = broker.Port },
        };
        var path = Path.Combine(dir.FullName, "dcu.json");
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(config));
        await using var dcp = await MosquittoSubscriber.StartAsync(broker.Port, $"dcu/{id}/#", "dcp-" + id);
        await using var dcu = DcuProcess.Start(null, "--config", path);

        var meters = Enumerable.Range(1, MeterCount).Select(i => $"plc-{i:D2}").ToArray();
        await Eventually.TrueAsync(
            () => { var r = ReceivedReading.Parse(dcp, $"dcu/{id}/readings", id); return meters.All(m => r.Any(x => x.Meter == m && x.Obis == "1.0.1.8.0") && r.Any(x => x.Meter == m && x.Obis == "1.0.32.7.0")); },
            "energy and voltage of every PLC meter\n" + dcu.OutputText, TimeSpan.FromSeconds(40));

        foreach (var r in ReceivedReading.Parse(dcp, $"dcu/{id}/readings", id))
        {
            Assert.Equal(r.Obis == "1.0.1.8.0" ? "kWh" : "V", r.Unit);
            if (r.Obis == "1.0.32.7.0") Assert.InRange(r.Value!.Value, 200, 260);
            else Assert.True(r.Value > 0);
            Assert.Equal(0, r.IntervalUnixMs % 2000);
        }

        // The heartbeat carries today's collection quality. Intervals that ended while the bus was still coming up
        // (the PLC module's start-up and route sync, slow on a loaded machine) count as missed, as they should; the
        // rate under 5 % frame loss is measured over the intervals that ended after every meter had answered.
        await Eventually.TrueAsync(() => LastQuality(dcp) is { Expected: > 0, Collected: > 0 }, "a status with collection quality\n" + dcu.OutputText);
        var first = LastQuality(dcp)!;
        const int Intervals = 4;
        await Eventually.TrueAsync(() => LastQuality(dcp)!.Expected >= first.Expected + (Intervals * MeterCount),
            $"{Intervals} more intervals in the status' collection quality\n" + dcu.OutputText, TimeSpan.FromSeconds(30));
        var last = LastQuality(dcp)!;
        var rate = (double)(last.Collected - first.Collected) / (last.Expected - first.Expected);
        output.WriteLine($"quality: expected {first.Expected} -> {last.Expected}, collected {first.Collected} -> {last.Collected}, site rate {last.SiteRate}, since all meters answered {rate:P1}");
        Assert.Equal((double)last.Collected / last.Expected, last.SiteRate, 3);
        Assert.True(rate >= 0.9, $"collected {rate:P1} of the intervals after start-up with 5% frame loss and 2 retries");

        Assert.Equal(0, await dcu.StopAsync(TimeSpan.FromSeconds(30)));
        output.WriteLine(dcu.OutputText);
        if (plc) Assert.Contains(dcu.Output, l => l.Contains("route table matches the archive (20 nodes", StringComparison.Ordinal));
        Assert.DoesNotContain(dcu.Output, l => l.Contains("crit:", StringComparison.Ordinal));
        dir.Delete(recursive: true);
    }

    private sealed record QualityFigures(long Expected, long Collected, double SiteRate);

    private static QualityFigures? LastQuality(MosquittoSubscriber dcp) => dcp.PayloadsOn("/status").Select(Quality).LastOrDefault(q => q is not null);

    private static QualityFigures? Quality(string payload)
    {
        using var doc = JsonDocument.Parse(payload);
        return doc.RootElement.TryGetProperty("quality", out var q)
            ? new QualityFigures(q.GetProperty("expected").GetInt64(), q.GetProperty("collected").GetInt64(), q.GetProperty("siteRate").GetDouble())
            : null;
    }
}
