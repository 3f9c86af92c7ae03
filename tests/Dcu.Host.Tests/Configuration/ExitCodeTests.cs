using Dcu.Testing;

namespace Dcu.Host.Tests.Configuration;

/// <summary>
/// The real executable refuses bad input with the sysexits.h codes systemd and the install script
/// rely on: 64 for a bad command line, 78 for a bad or missing configuration file.
/// </summary>
public sealed class ExitCodeTests : IDisposable
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(30);
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("dcu-exit-");

    [Fact]
    public async Task A_bad_key_in_the_file_exits_78_naming_the_key()
    {
        var path = Path.Combine(_dir.FullName, "bad.json");
        await File.WriteAllTextAsync(path, $$"""
            {
              "Dcu": { "Id": "exit-test", "DataDirectory": "{{_dir.FullName}}" },
              "Buses": [ { "Name": "rs485-1", "Type": "SimulatedModbusRtu", "Baud": 9600 } ]
            }
            """);
        await using var dcu = DcuProcess.Start(null, "--config", path);
        Assert.Equal(78, await dcu.WaitForExitAsync(ExitTimeout));
        await dcu.WaitForOutputAsync("Buses:0:Baud");
    }

    [Fact]
    public async Task An_invalid_value_exits_78_naming_every_problem()
    {
        var path = Path.Combine(_dir.FullName, "invalid.json");
        await File.WriteAllTextAsync(path, $$"""
            {
              "Dcu": { "Id": "exit-test", "DataDirectory": "{{_dir.FullName}}" },
              "Buses": [ { "Name": "rs485-1", "Type": "SimulatedModbusRtu" } ],
              "Meters": [ { "Id": "m1", "Bus": "rs485-9", "Address": "1", "Profile": "eastron-sdm630" } ],
              "Mqtt": { "Host": "127.0.0.1", "Port": 70000 }
            }
            """);
        await using var dcu = DcuProcess.Start(null, "--config", path);
        Assert.Equal(78, await dcu.WaitForExitAsync(ExitTimeout));
        await dcu.WaitForOutputAsync("Meters:0:Bus");
        await dcu.WaitForOutputAsync("Mqtt:Port");
        Assert.False(Directory.EnumerateFiles(_dir.FullName, "*.db").Any(), "nothing may start on a bad configuration");
    }

    [Fact]
    public async Task A_missing_file_exits_78_saying_not_found()
    {
        await using var dcu = DcuProcess.Start(null, "--config", Path.Combine(_dir.FullName, "missing.json"));
        Assert.Equal(78, await dcu.WaitForExitAsync(ExitTimeout));
        await dcu.WaitForOutputAsync("not found");
    }

    [Fact]
    public async Task An_environment_override_with_a_bad_value_exits_78_naming_the_key()
    {
        var path = Path.Combine(_dir.FullName, "good.json");
        await File.WriteAllTextAsync(path, $$"""
            { "Dcu": { "Id": "exit-test", "DataDirectory": "{{_dir.FullName}}" },
              "Buses": [ { "Name": "rs485-1", "Type": "SimulatedModbusRtu" } ] }
            """);
        await using var dcu = DcuProcess.Start(new Dictionary<string, string> { ["DCU_Buses__0__BaudRate"] = "fast" }, "--config", path);
        Assert.Equal(78, await dcu.WaitForExitAsync(ExitTimeout));
        await dcu.WaitForOutputAsync("Buses:0:BaudRate");
    }

    [Fact]
    public async Task An_unknown_switch_exits_64()
    {
        await using var dcu = DcuProcess.Start(null, "--bogus");
        Assert.Equal(64, await dcu.WaitForExitAsync(ExitTimeout));
        await dcu.WaitForOutputAsync("unknown argument '--bogus'");
    }

    [Fact]
    public async Task A_demo_whose_broker_port_is_taken_exits_70_with_one_line_saying_what_to_do()
    {
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;
        await using var dcu = DcuProcess.Start(new Dictionary<string, string>
        {
            ["DCU_Mqtt__Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["DCU_Dcu__DataDirectory"] = _dir.FullName,
        }, "--demo");
        Assert.Equal(70, await dcu.WaitForExitAsync(ExitTimeout));
        await dcu.WaitForOutputAsync($"dcu: port {port} on 127.0.0.1 is in use");
        await dcu.WaitForOutputAsync("DCU_Mqtt__Host=127.0.0.1");
        Assert.DoesNotContain(dcu.Output, l => l.Contains("   at ", StringComparison.Ordinal)); // no stack trace for an expected failure
    }

    public void Dispose()
    {
        try { _dir.Delete(recursive: true); }
        catch (IOException) { }
    }
}
