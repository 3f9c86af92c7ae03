using System.Globalization;
using Dcu.Drivers.Profiles;
using Dcu.Host.Configuration;
using Dcu.Host.Runtime;
using Dcu.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dcu.Host.Tests.Technician;

/// <summary>
/// A whole DCU runtime in-process, for the console's commands: two simulated SDM meters on a simulated RS485
/// line (real Modbus bytes), one task, an uplink pointed where no broker listens (so it stays disconnected).
/// </summary>
internal sealed class ConsoleRuntimeRig : IAsyncDisposable
{
    public const string DcuId = "console-test";
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("dcu-console-");

    private ConsoleRuntimeRig()
    {
    }

    public DcuRuntime Runtime { get; private set; } = null!;

    public DcuSettings Settings { get; private set; } = null!;

    public static async Task<ConsoleRuntimeRig> StartAsync(string passwordHash)
    {
        var rig = new ConsoleRuntimeRig();
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Dcu:Id"] = DcuId,
            ["Dcu:DataDirectory"] = rig._dir.FullName,
            ["Buses:0:Name"] = "rs485-1",
            ["Buses:0:Type"] = "SimulatedModbusRtu",
            ["Buses:0:BaudRate"] = "19200",
            ["Meters:0:Id"] = "m1",
            ["Meters:0:Bus"] = "rs485-1",
            ["Meters:0:Address"] = "1",
            ["Meters:0:Profile"] = "eastron-sdm630",
            ["Meters:1:Id"] = "m2",
            ["Meters:1:Bus"] = "rs485-1",
            ["Meters:1:Address"] = "2",
            ["Meters:1:Profile"] = "eastron-sdm120",
            ["Collection:Tasks:0:Name"] = "instant",
            ["Collection:Tasks:0:Interval"] = "00:15:00",
            ["Collection:Tasks:0:Quantities:0"] = "1.0.32.7.0",
            ["Mqtt:Host"] = "127.0.0.1",
            ["Mqtt:Port"] = FreeTcpPort.Get().ToString(CultureInfo.InvariantCulture),
            // Off: the test drives the console over its own streams; the hash is here for config's masking.
            ["Console:PasswordHash"] = passwordHash,
        }).Build();
        var profiles = MeterProfileLoader.LoadDirectory(Path.Combine(AppContext.BaseDirectory, "meter-profiles"));
        rig.Settings = SettingsResolver.Resolve(DcuSettings.Bind(config), config);
        Assert.Empty(SettingsValidator.Validate(rig.Settings, profiles));
        rig.Runtime = new DcuRuntime(rig.Settings, profiles, RunMode.Service, TimeProvider.System, NullLoggerFactory.Instance, new Lifetime());
        await rig.Runtime.StartAsync(CancellationToken.None);
        return rig;
    }

    public async ValueTask DisposeAsync()
    {
        await Runtime.StopAsync(CancellationToken.None);
        await Runtime.DisposeAsync();
        try { _dir.Delete(recursive: true); } catch (IOException) { }
    }

    private sealed class Lifetime : IHostApplicationLifetime
    {
        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => CancellationToken.None;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication() => throw new InvalidOperationException("a DCU loop ended during a console test");
    }
}
