using System.Globalization;
using System.Text.Json;
using Dcu.Testing;

namespace Dcu.Host.Tests.EndToEnd;

/// <summary>
/// One test's whole site: a temp data directory, a socat pty pair with pymodbus SDM630s (units 1..3)
/// on one end, a Mosquitto on a free port, and the config of a DCU with its own id that reads the
/// meters through the other end of the pty. Starts the real dcu.dll with <see cref="StartDcu"/>.
/// </summary>
public sealed class DcuSite : IAsyncDisposable
{
    public static readonly string[] Quantities = ["1.0.32.7.0", "1.0.1.8.0", "1.0.14.7.0"];
    public static readonly byte[] Units = [1, 2, 3];

    private readonly DirectoryInfo _dir;
    private readonly List<DcuProcess> _processes = [];
    private FileStream? _ptyHolder;

    private DcuSite(string id, DirectoryInfo dir, SocatPtyPair pty, PymodbusServer meters, MosquittoBroker broker, TimeSpan interval)
    {
        Id = id;
        _dir = dir;
        Pty = pty;
        Meters = meters;
        Broker = broker;
        Interval = interval;
    }

    public string Id { get; }

    public SocatPtyPair Pty { get; }

    public PymodbusServer Meters { get; }

    public MosquittoBroker Broker { get; }

    public TimeSpan Interval { get; }

    public string DataDirectory => Path.Combine(_dir.FullName, "data");

    public string ConfigPath => Path.Combine(_dir.FullName, "dcu.json");

    public string ReadingsTopic => $"dcu/{Id}/readings";

    public string StatusTopic => $"dcu/{Id}/status";

    public static IEnumerable<string> MeterIds => Units.Select(u => $"sdm630-{u:00}");

    public static async Task<DcuSite> StartAsync(string name, TimeSpan interval)
    {
        var id = $"e2e-{name}-{Guid.NewGuid():N}"[..24];
        var dir = Directory.CreateTempSubdirectory("dcu-e2e-");
        SocatPtyPair? pty = null;
        PymodbusServer? meters = null;
        try
        {
            pty = await SocatPtyPair.StartAsync();
            meters = await PymodbusServer.StartAsync(pty.PortB, Units);
            var broker = await MosquittoBroker.StartNewAsync();
            var site = new DcuSite(id, dir, pty, meters, broker, interval);
            // socat exits when the last fd of a pty end closes, which a SIGKILLed DCU does; hold one
            // open (never read from it) so the line survives the DCU's restarts like a real UART.
            site._ptyHolder = new FileStream(pty.PortA, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, 1);
            await File.WriteAllTextAsync(site.ConfigPath, site.Config());
            return site;
        }
        catch
        {
            meters?.Dispose();
            pty?.Dispose();
            dir.Delete(recursive: true);
            throw;
        }
    }

    private string Config()
    {
        static string Ts(TimeSpan t) => t.ToString("c", CultureInfo.InvariantCulture);
        var meters = string.Join(",\n    ", Units.Select(u =>
            $$"""{ "Id": "sdm630-{{u:00}}", "Bus": "rs485-1", "Address": "{{u}}", "Profile": "eastron-sdm630" }"""));
        return $$"""
            {
              "Dcu": { "Id": "{{Id}}", "DataDirectory": "{{DataDirectory}}", "HeartbeatInterval": "00:00:05" },
              "Buses": [ { "Name": "rs485-1", "Type": "ModbusRtu", "Port": "{{Pty.PortA}}", "BaudRate": 9600,
                           "ResponseTimeout": "00:00:00.500", "Retries": 1 } ],
              "Meters": [
                {{meters}}
              ],
              "Collection": { "Tasks": [ { "Name": "fast", "Interval": "{{Ts(Interval)}}",
                                           "Quantities": [ {{string.Join(", ", Quantities.Select(q => $"\"{q}\""))}} ] } ] },
              "Publisher": { "RetryBackoffMin": "00:00:00.200", "RetryBackoffMax": "00:00:01", "PublishTimeout": "00:00:05", "IdleRecheck": "00:00:01" },
              "Mqtt": { "Host": "127.0.0.1", "Port": {{Broker.Port}}, "ReconnectMinDelay": "00:00:00.200", "ReconnectMaxDelay": "00:00:01",
                        "HealthCheckInterval": "00:00:01", "PublishTimeout": "00:00:03", "ConnectTimeout": "00:00:02" }
            }
            """;
    }

    /// <summary>Starts dcu.dll on this site's configuration; the site kills it on dispose if the test did not.</summary>
    public DcuProcess StartDcu()
    {
        var dcu = DcuProcess.Start(null, "--config", ConfigPath);
        _processes.Add(dcu);
        return dcu;
    }

    public Task<MosquittoSubscriber> SubscribeAsync(string clientSuffix) =>
        MosquittoSubscriber.StartAsync(Broker.Port, $"dcu/{Id}/#", $"{Id}-{clientSuffix}");

    /// <summary>SIGSTOP / SIGCONT: freezes the DCU so a test can order events around it without racing it.</summary>
    public static async Task SignalAsync(DcuProcess dcu, string signal)
    {
        using var kill = System.Diagnostics.Process.Start("kill", [$"-{signal}", dcu.Id.ToString(CultureInfo.InvariantCulture)]);
        await kill!.WaitForExitAsync();
        Assert.Equal(0, kill.ExitCode);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var p in _processes) await p.DisposeAsync();
        await Broker.DisposeAsync();
        Meters.Dispose();
        if (_ptyHolder is not null) await _ptyHolder.DisposeAsync();
        Pty.Dispose();
        try { _dir.Delete(recursive: true); }
        catch (IOException) { }
    }
}

/// <summary>One reading of a batch on dcu/{id}/readings (docs/mqtt-contract.md).</summary>
public sealed record ReceivedReading(string Meter, string Obis, double? Value, string Unit, long IntervalUnixMs, long ReadUnixMs, int Flags)
{
    public (string Meter, string Obis, long IntervalUnixMs) Key => (Meter, Obis, IntervalUnixMs);

    /// <summary>Parses every reading batch the subscriber got on <paramref name="topic"/>, checking the envelope.</summary>
    public static List<ReceivedReading> Parse(MosquittoSubscriber subscriber, string topic, string dcuId)
    {
        var list = new List<ReceivedReading>();
        foreach (var (t, payload) in subscriber.Messages.ToArray())
        {
            if (t != topic) continue;
            using var doc = JsonDocument.Parse(payload);
            var root = doc.RootElement;
            Assert.Equal(dcuId, root.GetProperty("dcu").GetString());
            Assert.True(root.GetProperty("seq").GetInt64() >= 0);
            foreach (var r in root.GetProperty("readings").EnumerateArray())
            {
                var v = r.GetProperty("v");
                list.Add(new ReceivedReading(
                    r.GetProperty("m").GetString()!,
                    r.GetProperty("q").GetString()!,
                    v.ValueKind == JsonValueKind.Null ? null : v.GetDouble(),
                    r.GetProperty("u").GetString()!,
                    r.GetProperty("t").GetInt64(),
                    r.GetProperty("rt").GetInt64(),
                    r.TryGetProperty("f", out var f) ? f.GetInt32() : 0));
            }
        }
        return list;
    }

    /// <summary>The intervals (Unix ms) seen for every one of the meter's quantities.</summary>
    public static SortedSet<long> CompleteIntervals(IEnumerable<ReceivedReading> readings, string meter)
    {
        var byInterval = readings.Where(r => r.Meter == meter).GroupBy(r => r.IntervalUnixMs);
        return new SortedSet<long>(byInterval.Where(g => DcuSite.Quantities.All(q => g.Any(r => r.Obis == q))).Select(g => g.Key));
    }
}
