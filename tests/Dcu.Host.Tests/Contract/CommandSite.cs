using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Dcu.Testing;

namespace Dcu.Host.Tests.Contract;

/// <summary>
/// A whole site for contract tests, with the DCP played by paho (<see cref="PahoDcp"/>): Mosquitto on
/// loopback; the real dcu process with three buses: pymodbus SDM630s (units 1, 2) on a socat pty
/// (a real serial line that a test can take down), a simulated PLC module with DL/T 645 meters and a
/// simulated DL/T 645 RS485 line; commands signed with <see cref="SigningKeyHex"/> where required.
/// </summary>
public sealed class CommandSite : IAsyncDisposable
{
    public const string SigningKeyHex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
    public static readonly string[] PlcMeters = ["plc-01", "plc-02", "plc-03"];
    public static readonly string[] Dlt645Meters = ["dlt-01", "dlt-02"];
    public static readonly string[] ModbusMeters = ["sdm-01", "sdm-02"];

    private readonly DirectoryInfo _dir;
    private readonly FileStream _ptyHolder;
    private int _next;

    private CommandSite(string id, DirectoryInfo dir, MosquittoBroker broker, SocatPtyPair pty, PymodbusServer meters, PahoDcp dcp, DcuProcess dcu, FileStream ptyHolder)
    {
        Id = id;
        _dir = dir;
        Broker = broker;
        Pty = pty;
        Modbus = meters;
        Dcp = dcp;
        Dcu = dcu;
        _ptyHolder = ptyHolder;
    }

    public string Id { get; }

    public MosquittoBroker Broker { get; }

    public SocatPtyPair Pty { get; }

    public PymodbusServer Modbus { get; private set; }

    public PahoDcp Dcp { get; }

    public DcuProcess Dcu { get; private set; }

    public string DataDirectory => Path.Combine(_dir.FullName, "data");

    public string ConfigPath => Path.Combine(_dir.FullName, "dcu.json");

    public static async Task<CommandSite> StartAsync(string name, Action<Dictionary<string, object>>? configure = null)
    {
        var id = $"ct-{name}-{Guid.NewGuid():N}"[..20];
        var dir = Directory.CreateTempSubdirectory("dcu-contract-");
        var broker = await MosquittoBroker.StartNewAsync();
        var pty = await SocatPtyPair.StartAsync();
        var modbus = await PymodbusServer.StartAsync(pty.PortB, [1, 2]);
        // socat exits when the last fd of a pty end closes; hold one open so the line outlives DCU restarts.
        var holder = new FileStream(pty.PortA, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, 1);
        var config = Config(id, Path.Combine(dir.FullName, "data"), pty.PortA, broker.Port);
        configure?.Invoke(config);
        var path = Path.Combine(dir.FullName, "dcu.json");
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(config));
        var dcp = await PahoDcp.StartAsync(broker.Port, $"dcu/{id}/#", "dcp-" + id);
        var dcu = DcuProcess.Start(null, "--config", path);
        var site = new CommandSite(id, dir, broker, pty, modbus, dcp, dcu, holder);
        await Eventually.TrueAsync(() => dcp.On("/status").Any(m => m.Payload?.Contains("\"online\"", StringComparison.Ordinal) == true),
            "the DCU online\n" + dcu.OutputText, TimeSpan.FromSeconds(30));
        return site;
    }

    private static Dictionary<string, object> Config(string id, string dataDirectory, string port, int brokerPort) => new()
    {
        ["Dcu"] = new { Id = id, DataDirectory = dataDirectory, HeartbeatInterval = "00:00:02" },
        ["Buses"] = new object[]
        {
            new { Name = "rs485-1", Type = "ModbusRtu", Port = port, BaudRate = 9600, ResponseTimeout = "00:00:00.500", Retries = 0 },
            new { Name = "plc-1", Type = "SimulatedPlc", MaxConcurrency = 2, ResponseTimeout = "00:00:01", Retries = 1,
                  Simulation = new { LatencyMin = "00:00:00.010", LatencyMax = "00:00:00.030", LossRate = 0.0 } },
            new { Name = "rs485-2", Type = "SimulatedDlt645", BaudRate = 115200, ResponseTimeout = "00:00:00.500", Retries = 1 },
        },
        ["Meters"] = ModbusMeters.Select((m, i) => (object)new { Id = m, Bus = "rs485-1", Address = (i + 1).ToString(CultureInfo.InvariantCulture), Profile = "eastron-sdm630" })
            .Concat(PlcMeters.Select((m, i) => (object)new { Id = m, Bus = "plc-1", Address = $"{100 + i:D12}" }))
            .Concat(Dlt645Meters.Select((m, i) => (object)new { Id = m, Bus = "rs485-2", Address = $"{200 + i:D12}" }))
            .ToArray(),
        ["Collection"] = new { Tasks = new[] { new { Name = "profile", Interval = "00:00:05", Quantities = new[] { "1.0.1.8.0", "1.0.32.7.0" } } } },
        ["Mqtt"] = new { Host = "127.0.0.1", Port = brokerPort, ReconnectMinDelay = "00:00:00.200", ReconnectMaxDelay = "00:00:01" },
        ["Commands"] = new { SigningKey = SigningKeyHex, RequireSignature = "destructive" },
    };

    public long ExpiresIn(TimeSpan t) => DateTimeOffset.UtcNow.Add(t).ToUnixTimeMilliseconds();

    /// <summary>The signature of the contract: HMAC-SHA256(key, id \n cmd \n expires \n raw args text), lowercase hex.</summary>
    public static string Sign(string id, string cmd, long expires, string argsText) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Convert.FromHexString(SigningKeyHex),
            Encoding.UTF8.GetBytes($"{id}\n{cmd}\n{expires.ToString(CultureInfo.InvariantCulture)}\n{argsText}")));

    /// <summary>Builds a command (signed when <paramref name="sign"/>), publishes it, and returns its id.</summary>
    public async Task<string> SendAsync(string cmd, object? args = null, bool sign = false, string? id = null, long? expires = null)
    {
        id ??= $"c-{Interlocked.Increment(ref _next)}-{Guid.NewGuid():N}"[..20];
        var exp = expires ?? ExpiresIn(TimeSpan.FromMinutes(2));
        var argsText = args is null ? "" : JsonSerializer.Serialize(args);
        var payload = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"{{\"id\":\"{id}\",\"cmd\":\"{cmd}\",\"expires\":{exp}"));
        if (args is not null) payload.Append(",\"args\":").Append(argsText);
        if (sign) payload.Append(",\"sig\":\"").Append(Sign(id, cmd, exp, argsText)).Append('"');
        payload.Append('}');
        await Dcp.PublishAsync($"dcu/{Id}/cmd/{cmd}", payload.ToString());
        return id;
    }

    public Task SendRawAsync(string cmd, string payload) => Dcp.PublishAsync($"dcu/{Id}/cmd/{cmd}", payload);

    /// <summary>Every result received for <paramref name="id"/> (the contract says exactly one).</summary>
    public IReadOnlyList<JsonElement> ResultsFor(string? id) =>
        Dcp.On("/cmd-result").Select(m => JsonDocument.Parse(m.Payload!).RootElement.Clone())
            .Where(r => id is null ? r.GetProperty("id").ValueKind == JsonValueKind.Null : r.GetProperty("id").ValueKind == JsonValueKind.String && r.GetProperty("id").GetString() == id)
            .ToList();

    public async Task<JsonElement> ResultAsync(string id, TimeSpan? timeout = null)
    {
        await Eventually.TrueAsync(() => ResultsFor(id).Count > 0, $"the result of command {id}\n{Dcu.OutputText}", timeout ?? TimeSpan.FromSeconds(30));
        return ResultsFor(id)[0];
    }

    public async Task<JsonElement> CallAsync(string cmd, object? args = null, bool sign = false, TimeSpan? timeout = null) =>
        await ResultAsync(await SendAsync(cmd, args, sign), timeout);

    /// <summary>Takes the RS485 meters off the line (pymodbus stopped): the bus is up but nobody answers.</summary>
    public void StopModbusMeters() => Modbus.Dispose();

    public async Task RestartDcuAsync()
    {
        Assert.Equal(0, await Dcu.StopAsync(TimeSpan.FromSeconds(30)));
        await Dcu.DisposeAsync();
        Dcu = DcuProcess.Start(null, "--config", ConfigPath);
    }

    public async ValueTask DisposeAsync()
    {
        await Dcu.DisposeAsync();
        await Dcp.DisposeAsync();
        Modbus.Dispose();
        await _ptyHolder.DisposeAsync();
        Pty.Dispose();
        await Broker.DisposeAsync();
        try { _dir.Delete(recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
