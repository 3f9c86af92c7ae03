using Dcu.Drivers.Links;
using Dcu.Host.Technician;
using Dcu.Host.Tests.EndToEnd;
using Dcu.Testing;
using Xunit.Abstractions;

namespace Dcu.Host.Tests.Technician;

/// <summary>
/// The real dcu process with its console on one end of a socat pty pair and the technician on the other,
/// speaking through System.IO.Ports like a laptop on the console cable; the meters are pymodbus SDM630s on
/// another pty, the DCP a Mosquitto subscriber.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class TechnicianConsoleEndToEndTests(ITestOutputHelper output)
{
    private const string Password = "Sub$tation-7";

    [Fact]
    public async Task A_technician_logs_in_over_a_serial_line_runs_meters_and_status_and_three_wrong_passwords_lock_the_console()
    {
        await using var site = await DcuSite.StartAsync("console", TimeSpan.FromSeconds(5));
        await using var dcp = await site.SubscribeAsync("dcp");
        await using var line = await SocatPtyPair.StartAsync();
        // The laptop end is open before the DCU starts, so the banner and first prompt are not lost.
        await using var laptop = new SerialByteLink(new SerialLinkOptions { PortName = line.PortB, BaudRate = 115_200 });
        await laptop.OpenAsync(CancellationToken.None);
        await using var t = new TerminalProbe(laptop.ReadAsync, laptop.WriteAsync);

        var dcu = DcuProcess.Start(new Dictionary<string, string>
        {
            ["DCU_Console__Enabled"] = "true",
            ["DCU_Console__Port"] = line.PortA,
            ["DCU_Console__PasswordHash"] = ConsolePassword.Create(Password),
        }, "--config", site.ConfigPath);
        try
        {
            await t.ExpectAsync($"DCU {site.Id} technician console", TimeSpan.FromSeconds(60));
            await LogInAsync(t, "password1");
            await t.ExpectAsync("login incorrect");
            await LogInAsync(t, Password);
            await t.ExpectAsync("logged in as technician");
            var prompt = $"{site.Id}> ";
            await t.ExpectAsync(prompt);

            await t.LineAsync("meters");
            var meters = await t.ExpectAsync(prompt, TimeSpan.FromSeconds(30));
            foreach (var id in DcuSite.MeterIds) Assert.Contains($"\"id\": \"{id}\"", meters, StringComparison.Ordinal);

            await Eventually.TrueAsync(async () =>
            {
                await t.LineAsync("status");
                return (await t.ExpectAsync(prompt, TimeSpan.FromSeconds(30))).Contains("\"connected\": true", StringComparison.Ordinal);
            }, "status to show the uplink connected\n" + t.Text, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(500));
            var status = t.Text[t.Text.LastIndexOf("status\r\n", StringComparison.Ordinal)..];
            Assert.Contains("\"outbox\": {", status, StringComparison.Ordinal);
            Assert.Contains("\"busErrors\": {", status, StringComparison.Ordinal);
            Assert.Contains("\"rs485-1.", status, StringComparison.Ordinal);

            await t.LineAsync("read sdm630-02 1.0.32.7.0");
            var read = await t.ExpectAsync(prompt, TimeSpan.FromSeconds(30));
            Assert.Contains("ok\r\n", read, StringComparison.Ordinal);
            Assert.Contains("\"q\": \"1.0.32.7.0\"", read, StringComparison.Ordinal);

            await t.LineAsync("logout");
            await t.ExpectAsync("logged out\r\n");

            for (var i = 1; i <= 3; i++)
            {
                await LogInAsync(t, $"guess{i}");
                await t.ExpectAsync(i < 3 ? "login incorrect\r\n" : "login incorrect; console locked for 5 min\r\n");
            }
            await LogInAsync(t, Password);
            await t.ExpectAsync("console locked after 3 failed logins; try again in ");

            await Eventually.TrueAsync(() => dcp.PayloadsOn("/events").Count(p => p.Contains("console_login_failed", StringComparison.Ordinal)) >= 4,
                "four console_login_failed events upstream\n" + dcu.OutputText, TimeSpan.FromSeconds(30));
            Assert.Contains(dcp.PayloadsOn("/events"), p => p.Contains("(3 failed in a row); console locked for 5 min", StringComparison.Ordinal));
            foreach (var secret in (string[])[Password, "password1", "guess1", "guess3"])
            {
                Assert.DoesNotContain(secret, t.Text, StringComparison.Ordinal);
                Assert.DoesNotContain(secret, dcu.OutputText, StringComparison.Ordinal);
                Assert.DoesNotContain(dcp.Messages, m => m.Payload.Contains(secret, StringComparison.Ordinal));
            }
            await dcu.WaitForOutputAsync("console login failed for user technician");
            output.WriteLine(t.Text);
        }
        finally
        {
            await dcu.DisposeAsync();
        }
    }

    private static async Task LogInAsync(TerminalProbe t, string password)
    {
        await t.ExpectAsync("login: ");
        await t.LineAsync("technician");
        await t.ExpectAsync("password: ");
        await t.LineAsync(password);
    }
}
