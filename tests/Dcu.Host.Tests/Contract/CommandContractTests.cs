using System.Text.Json;
using Dcu.Testing;
using Xunit.Abstractions;

namespace Dcu.Host.Tests.Contract;

/// <summary>
/// The command contract as a DCP sees it: paho (not MQTTnet) publishes commands to the real dcu process
/// through Mosquitto and reads the results. Every command gets exactly one result, every payload
/// conforms to its schema in docs/schemas, bad input is refused naming the problem and changes nothing.
/// </summary>
[Collection(EndToEnd.EndToEndCollection.Name)]
public sealed class CommandContractTests(ITestOutputHelper output)
{
    private static string Status(JsonElement r) => r.GetProperty("status").GetString()!;

    private static string Reason(JsonElement r) => r.TryGetProperty("reason", out var v) ? v.GetString()! : "";

    private static void AssertDone(JsonElement r, string what)
    {
        if (Status(r) != "done") throw new Xunit.Sdk.XunitException($"{what}: expected done, got {r}");
    }

    [Fact]
    public async Task Every_command_is_answered_once_with_its_data_and_every_payload_conforms()
    {
        await using var site = await CommandSite.StartAsync("all");
        try
        {
            var time = await site.CallAsync("time.get");
            AssertDone(time, "time.get");
            Assert.True(time.GetProperty("data").GetProperty("valid").GetBoolean());

            var read = await site.CallAsync("read", new { meters = new[] { "plc-01", "dlt-01", "sdm-01" }, quantities = new[] { "1.0.1.8.0" } });
            AssertDone(read, "read");
            foreach (var m in new[] { "plc-01", "dlt-01", "sdm-01" })
            {
                var values = read.GetProperty("data").GetProperty("meters").GetProperty(m).GetProperty("values");
                Assert.Contains(values.EnumerateArray(), v => v.GetProperty("q").GetString() == "1.0.1.8.0" && v.GetProperty("v").GetDouble() > 0);
            }

            AssertDone(await site.CallAsync("tasks.add", new { name = "daily", interval = 86400, quantities = new[] { "1.0.1.8.0" } }), "tasks.add");
            AssertDone(await site.CallAsync("tasks.replace", new { name = "daily", interval = 86400, offset = 300, quantities = new[] { "1.0.1.8.0", "1.0.2.8.0" } }, sign: true), "tasks.replace");
            var tasks = await site.CallAsync("tasks.list");
            Assert.Contains(tasks.GetProperty("data").GetProperty("tasks").EnumerateArray(), t => t.GetProperty("name").GetString() == "daily" && t.GetProperty("offset").GetInt64() == 300);
            AssertDone(await site.CallAsync("tasks.delete", new { name = "daily" }, sign: true), "tasks.delete");

            var added = await site.CallAsync("meters.add", new { meters = new[] { new { id = "plc-09", bus = "plc-1", address = "000000000109" } } }, sign: true);
            AssertDone(added, "meters.add");
            Assert.All(added.GetProperty("data").GetProperty("routeSync").EnumerateArray(), s => Assert.True(s.GetProperty("verified").GetBoolean(), s.ToString()));
            var newRead = await site.CallAsync("read", new { meters = new[] { "plc-09" } });
            AssertDone(newRead, "read of the added meter");
            AssertDone(await site.CallAsync("meters.remove", new { meters = new[] { "plc-09" } }, sign: true), "meters.remove");
            var meters = await site.CallAsync("meters.list");
            Assert.DoesNotContain(meters.GetProperty("data").GetProperty("meters").EnumerateArray(), m => m.GetProperty("id").GetString() == "plc-09");

            var off = await site.CallAsync("relay.disconnect", new { meters = new[] { "plc-01", "dlt-01" } }, sign: true);
            AssertDone(off, "relay.disconnect");
            Assert.All(off.GetProperty("data").GetProperty("meters").EnumerateArray(), m => Assert.Equal("disconnected", m.GetProperty("readBack").GetString()));
            var state = await site.CallAsync("relay.state", new { meters = new[] { "dlt-01" } });
            Assert.Equal("disconnected", state.GetProperty("data").GetProperty("meters")[0].GetProperty("readBack").GetString());
            var on = await site.CallAsync("relay.connect", new { meters = new[] { "plc-01", "dlt-01" } }, sign: true);
            AssertDone(on, "relay.connect");
            Assert.All(on.GetProperty("data").GetProperty("meters").EnumerateArray(), m => Assert.Equal("connected", m.GetProperty("readBack").GetString()));

            var sync = await site.CallAsync("time.sync", new { meters = new[] { "plc-01", "dlt-01" } }, sign: true, timeout: TimeSpan.FromSeconds(60));
            AssertDone(sync, "time.sync");

            var config = await site.CallAsync("config.get");
            AssertDone(config, "config.get");
            Assert.DoesNotContain(CommandSite.SigningKeyHex, config.ToString(), StringComparison.OrdinalIgnoreCase);

            var unknown = await site.CallAsync("no.such.command");
            Assert.Equal("failed", Status(unknown));
            Assert.Contains("no.such.command", Reason(unknown), StringComparison.Ordinal);

            // Exactly one result per command, and every payload the DCP saw conforms to its schema.
            var results = site.Dcp.On("/cmd-result").Select(m => JsonDocument.Parse(m.Payload!).RootElement.GetProperty("id").GetString()).ToList();
            Assert.Equal(results.Count, results.Distinct().Count());
            AssertConforms(site);
        }
        finally
        {
            output.WriteLine(site.Dcu.OutputText);
        }
    }

    [Fact]
    public async Task Bad_commands_get_one_failed_result_naming_the_problem_and_change_nothing()
    {
        await using var site = await CommandSite.StartAsync("bad");
        try
        {
            var before = (await site.CallAsync("meters.list")).GetProperty("data").GetProperty("meters").GetArrayLength();

            await site.SendRawAsync("read", "{not json");
            await Eventually.TrueAsync(() => site.ResultsFor(null).Count == 1, "a result with id null for malformed JSON\n" + site.Dcu.OutputText);
            Assert.Contains("JSON", Reason(site.ResultsFor(null)[0]), StringComparison.OrdinalIgnoreCase);

            async Task Refused(string cmd, object? args, string expected, bool sign = false, long? expires = null)
            {
                var r = await site.ResultAsync(await site.SendAsync(cmd, args, sign, expires: expires));
                Assert.True(Status(r) == "failed", $"{cmd}: {r}");
                Assert.Contains(expected, Reason(r), StringComparison.OrdinalIgnoreCase);
            }

            await Refused("read", new { meters = new[] { "plc-01" } }, "expired", expires: site.ExpiresIn(TimeSpan.FromSeconds(-5)));
            await Refused("read", new { meters = new[] { "nope-1" } }, "nope-1");
            await Refused("read", new { meters = "plc-01" }, "args.meters");
            await Refused("read", new { meters = new[] { "plc-01" }, quantitys = new[] { "1.0.1.8.0" } }, "quantitys");
            await Refused("tasks.add", new { name = "odd", interval = 7 }, "interval");
            await Refused("meters.add", new { meters = new[] { new { id = "x-1", bus = "plc-1", address = "12" } } }, "signature missing");
            await Refused("meters.add", new { meters = new[] { new { id = "x-1", bus = "plc-1", address = "12" } } }, "address", sign: true);
            await Refused("relay.disconnect", new { meters = new[] { "sdm-01" } }, "relay", sign: true);

            // A bad signature is refused and reported upstream as a security event.
            var id = "forged-" + Guid.NewGuid().ToString("N")[..8];
            var exp = site.ExpiresIn(TimeSpan.FromMinutes(1));
            await site.SendRawAsync("relay.disconnect", $$"""{"id":"{{id}}","cmd":"relay.disconnect","expires":{{exp}},"args":{"meters":["plc-01"]},"sig":"{{new string('0', 64)}}"}""");
            var forged = await site.ResultAsync(id);
            Assert.Equal("failed", Status(forged));
            Assert.Contains("signature", Reason(forged), StringComparison.OrdinalIgnoreCase);
            await Eventually.TrueAsync(() => site.Dcp.On("/events").Any(m => m.Payload!.Contains("command_signature_invalid", StringComparison.Ordinal) && m.Payload.Contains(id, StringComparison.Ordinal)),
                "the security event upstream\n" + site.Dcu.OutputText);

            // Nothing was applied by any refused command.
            var after = await site.CallAsync("meters.list");
            Assert.Equal(before, after.GetProperty("data").GetProperty("meters").GetArrayLength());
            var state = await site.CallAsync("relay.state", new { meters = new[] { "plc-01" } });
            Assert.Equal("connected", state.GetProperty("data").GetProperty("meters")[0].GetProperty("readBack").GetString());
            AssertConforms(site);
        }
        finally
        {
            output.WriteLine(site.Dcu.OutputText);
        }
    }

    [Fact]
    public async Task Replayed_ids_run_once_concurrent_commands_all_answer_and_a_dead_bus_fails_only_its_own_reads()
    {
        await using var site = await CommandSite.StartAsync("replay");
        try
        {
            // The same command published twice (a QoS 1 redelivery or a DCP retry): executed and answered once.
            var id = await site.SendAsync("meters.add", new { meters = new[] { new { id = "plc-08", bus = "plc-1", address = "000000000108" } } }, sign: true);
            AssertDone(await site.ResultAsync(id), "meters.add");
            var exp = site.ExpiresIn(TimeSpan.FromMinutes(2));
            await site.SendAsync("meters.add", new { meters = new[] { new { id = "plc-08", bus = "plc-1", address = "000000000108" } } }, sign: true, id: id, expires: exp);
            var marker = await site.CallAsync("time.get"); // answered after the replay was handled (commands are taken in order)
            AssertDone(marker, "time.get");
            Assert.Single(site.ResultsFor(id));

            // Ten reads at once, on three buses: ten results.
            var ids = await Task.WhenAll(Enumerable.Range(0, 10).Select(i =>
                site.SendAsync("read", new { meters = new[] { CommandSite.PlcMeters[i % 3], CommandSite.Dlt645Meters[i % 2] }, quantities = new[] { "1.0.32.7.0" } })));
            foreach (var c in ids) AssertDone(await site.ResultAsync(c, TimeSpan.FromSeconds(60)), "concurrent read " + c);

            // The RS485 meters go silent: their reads fail with a reason, the other buses answer as before.
            site.StopModbusMeters();
            var dead = await site.CallAsync("read", new { meters = new[] { "sdm-01" } }, timeout: TimeSpan.FromSeconds(60));
            Assert.Equal("failed", Status(dead));
            Assert.Contains("timeout", dead.ToString(), StringComparison.OrdinalIgnoreCase);
            var alive = await site.CallAsync("read", new { meters = new[] { "plc-02", "dlt-02" } });
            AssertDone(alive, "read on the other buses during the RS485 outage");
            AssertConforms(site);
        }
        finally
        {
            output.WriteLine(site.Dcu.OutputText);
        }
    }

    /// <summary>Every message the DCP received conforms to the schema of its topic.</summary>
    private static void AssertConforms(CommandSite site)
    {
        var checkedTopics = 0;
        foreach (var m in site.Dcp.Messages)
        {
            var schema = m.Topic[(m.Topic.LastIndexOf('/') + 1)..] switch
            {
                "cmd-result" => "command-result.schema.json",
                "readings" or "billing" => "readings-batch.schema.json",
                "events" => "events-batch.schema.json",
                "status" => "status.schema.json",
                "quality" => "quality.schema.json",
                _ => null,
            };
            if (schema is null || m.Payload is null || (m.ContentType is { } ct && ct != "application/json")) continue;
            if (!ContractSchemas.Files.Contains(schema)) continue;
            ContractSchemas.AssertValid(schema, m.Payload);
            checkedTopics++;
        }
        Assert.True(checkedTopics > 0);
    }
}
