using System.Globalization;
using System.Text;
using System.Text.Json;
using Dcu.Core.Commands;
using Dcu.Testing;
using Xunit.Abstractions;

namespace Dcu.Host.Tests.EndToEnd;

/// <summary>
/// The real dcu process with a signing key (from the environment, as on a box) and a "DCP" speaking
/// through Mosquitto: config.get, an unsigned and a signed config.set, then a restart: the redelivered
/// signed command is not run or answered again, and the persisted override is in force.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class CommandsEndToEndTests(ITestOutputHelper output)
{
    private const string KeyHex = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

    [Fact]
    public async Task Commands_over_MQTT_get_one_result_each_signed_ones_run_once_across_a_restart()
    {
        await using var site = await DcuSite.StartAsync("cmd", TimeSpan.FromSeconds(5));
        await using var dcp = await site.SubscribeAsync("dcp");
        var env = new Dictionary<string, string> { ["DCU_Commands__SigningKey"] = KeyHex };
        var dcu = DcuProcess.Start(env, "--config", site.ConfigPath);
        try
        {
            await Eventually.TrueAsync(() => dcp.PayloadsOn("/status").Any(), "status online\n" + dcu.OutputText, TimeSpan.FromSeconds(30));
            var expires = DateTimeOffset.UtcNow.AddMinutes(10).ToUnixTimeMilliseconds();

            await PublishAsync(site, "config.get", $$"""{"id":"e2e-1","expires":{{expires}}}""");
            var get = await ResultAsync(dcp, "e2e-1", dcu);
            Assert.Equal("done", get.GetProperty("status").GetString());
            Assert.Equal("***", get.GetProperty("data").GetProperty("settings").GetProperty("Commands").GetProperty("SigningKey").GetString());
            Assert.DoesNotContain(dcp.Messages, m => m.Payload.Contains(KeyHex, StringComparison.OrdinalIgnoreCase));

            const string args = """{"changes":{"Dcu:HeartbeatInterval":"00:00:02","Publisher:BatchSize":250}}""";
            await PublishAsync(site, "config.set", $$"""{"id":"e2e-2","expires":{{expires}},"args":{{args}}}""");
            Assert.Equal("signature missing", (await ResultAsync(dcp, "e2e-2", dcu)).GetProperty("reason").GetString());
            await Eventually.TrueAsync(() => dcp.PayloadsOn("/events").Any(p => p.Contains("command_signature_invalid", StringComparison.Ordinal)),
                "the security event upstream\n" + dcu.OutputText);

            var sig = CommandSignature.Compute(Convert.FromHexString(KeyHex), "e2e-3", "config.set", expires, Encoding.UTF8.GetBytes(args));
            var signed = $$"""{"id":"e2e-3","expires":{{expires}},"args":{{args}},"sig":"{{sig}}"}""";
            await PublishAsync(site, "config.set", signed);
            var set = await ResultAsync(dcp, "e2e-3", dcu);
            Assert.Equal("done", set.GetProperty("status").GetString());
            Assert.Equal("now", set.GetProperty("data").GetProperty("changes").GetProperty("Dcu:HeartbeatInterval").GetProperty("effect").GetString());
            Assert.Equal("restart", set.GetProperty("data").GetProperty("changes").GetProperty("Publisher:BatchSize").GetProperty("effect").GetString());

            Assert.Equal(0, await dcu.StopAsync(TimeSpan.FromSeconds(30)));
            await dcu.DisposeAsync();
            dcu = DcuProcess.Start(env, "--config", site.ConfigPath);
            await dcu.WaitForOutputAsync("running", TimeSpan.FromSeconds(30));

            await PublishAsync(site, "config.set", signed); // a DCP retry of the same command
            await PublishAsync(site, "config.get", $$"""{"id":"e2e-4","expires":{{expires}}}""");
            var after = await ResultAsync(dcp, "e2e-4", dcu);
            var settings = after.GetProperty("data").GetProperty("settings");
            Assert.Equal("00:00:02", settings.GetProperty("Dcu").GetProperty("HeartbeatInterval").GetString());
            Assert.Equal(250, settings.GetProperty("Publisher").GetProperty("BatchSize").GetInt32());
            Assert.Single(Results(dcp, "e2e-3"));
            await dcu.WaitForOutputAsync("e2e-3", TimeSpan.FromSeconds(10)); // logged as seen before
            output.WriteLine(dcu.OutputText);
        }
        finally
        {
            await dcu.DisposeAsync();
        }
    }

    private static async Task PublishAsync(DcuSite site, string name, string payload)
    {
        using var pub = System.Diagnostics.Process.Start("mosquitto_pub",
            ["-h", "127.0.0.1", "-p", site.Broker.Port.ToString(CultureInfo.InvariantCulture), "-q", "1", "-t", $"dcu/{site.Id}/cmd/{name}", "-m", payload]);
        await pub!.WaitForExitAsync();
        Assert.Equal(0, pub.ExitCode);
    }

    private static List<JsonElement> Results(MosquittoSubscriber dcp, string id) =>
        dcp.PayloadsOn("/cmd-result").Select(p => JsonDocument.Parse(p).RootElement.Clone())
            .Where(r => r.GetProperty("id").ValueKind == JsonValueKind.String && r.GetProperty("id").GetString() == id).ToList();

    private static async Task<JsonElement> ResultAsync(MosquittoSubscriber dcp, string id, DcuProcess dcu)
    {
        await Eventually.TrueAsync(() => Results(dcp, id).Count > 0, $"the result of {id}\n{dcu.OutputText}", TimeSpan.FromSeconds(20));
        return Assert.Single(Results(dcp, id));
    }
}
