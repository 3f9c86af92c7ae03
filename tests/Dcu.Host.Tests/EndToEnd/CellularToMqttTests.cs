using System.Text.Json;
using Dcu.Drivers.Links;
using Dcu.Drivers.Simulation;
using Dcu.Testing;

namespace Dcu.Host.Tests.EndToEnd;

/// <summary>
/// The real dcu process with Cellular on one end of a socat pty pair and the simulated modem (real AT
/// bytes through System.IO.Ports) on the other: the retained heartbeat on Mosquitto carries the signal,
/// conforms to status.schema.json, and turns null when the SIM is pulled.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class CellularToMqttTests
{
    [Fact]
    public async Task The_heartbeat_carries_the_modems_signal_and_null_without_a_sim()
    {
        await using var site = await DcuSite.StartAsync("cell", TimeSpan.FromSeconds(5));
        await using var dcp = await site.SubscribeAsync("dcp");
        await using var line = await SocatPtyPair.StartAsync();
        await using var modemEnd = new SerialByteLink(new SerialLinkOptions { PortName = line.PortB, BaudRate = 115_200 });
        await modemEnd.OpenAsync(CancellationToken.None);
        await using var modem = new SimulatedAtModem(TimeProvider.System, new SimulatedAtModemOptions { Rssi = 17 });
        using var stop = new CancellationTokenSource();
        var serve = modem.ServeAsync(modemEnd, stop.Token);

        var dcu = DcuProcess.Start(new Dictionary<string, string>
        {
            ["DCU_Cellular__Enabled"] = "true",
            ["DCU_Cellular__Port"] = line.PortA,
            ["DCU_Cellular__PollInterval"] = "00:00:01",
            ["DCU_Cellular__CommandTimeout"] = "00:00:00.800",
        }, "--config", site.ConfigPath);
        try
        {
            Link? signal = null;
            await Eventually.TrueAsync(() => (signal = Find(dcp, l => l.Dbm is not null)) is not null, "a heartbeat with a signal\n" + dcu.OutputText, TimeSpan.FromSeconds(60));
            Assert.Equal((-79, 55), (signal!.Dbm, signal.Quality));
            ContractSchemas.AssertValid("status.schema.json", signal.Payload);
            await dcu.WaitForOutputAsync("IMEI 356938035643809, SIM ICCID ...7890");
            Assert.DoesNotContain("89490200001234567890", dcu.OutputText, StringComparison.Ordinal);

            modem.SimPresent = false;
            Link? none = null;
            await Eventually.TrueAsync(() => (none = Find(dcp, l => l.Dbm is null, after: signal!.Payload)) is not null, "a heartbeat without a signal\n" + dcu.OutputText, TimeSpan.FromSeconds(60));
            Assert.Null(none!.Quality);
            ContractSchemas.AssertValid("status.schema.json", none.Payload);
            await dcu.WaitForOutputAsync("SIM NotInserted");
            Assert.False(dcu.HasExited);
        }
        finally
        {
            await dcu.DisposeAsync();
            await stop.CancelAsync();
            await serve;
        }
    }

    private sealed record Link(int? Dbm, int? Quality, string Payload);

    /// <summary>The first status heartbeat so far (after <paramref name="after"/>, when given) whose link matches, or null.</summary>
    private static Link? Find(MosquittoSubscriber dcp, Func<Link, bool> match, string? after = null)
    {
        var payloads = dcp.PayloadsOn("/status").ToList();
        var start = after is null ? 0 : payloads.IndexOf(after) + 1;
        foreach (var p in payloads.Skip(start))
        {
            using var doc = JsonDocument.Parse(p);
            if (!doc.RootElement.TryGetProperty("link", out var link)) continue;
            var l = new Link(Int(link.GetProperty("signalDbm")), Int(link.GetProperty("signalQuality")), p);
            if (match(l)) return l;
        }
        return null;
    }

    private static int? Int(JsonElement e) => e.ValueKind == JsonValueKind.Null ? null : e.GetInt32();
}
