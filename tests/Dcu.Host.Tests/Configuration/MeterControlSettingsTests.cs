using Dcu.Drivers.Dlt645;
using Dcu.Host.Configuration;
using Microsoft.Extensions.Configuration;

namespace Dcu.Host.Tests.Configuration;

/// <summary>Relay and clock control keys of DL/T 645 buses: validated at start, naming the key, never echoing a password.</summary>
public sealed class MeterControlSettingsTests
{
    private static Dictionary<string, string?> Site(string type, params (string Key, string? Value)[] changes)
    {
        var v = new Dictionary<string, string?>
        {
            ["Dcu:Id"] = "dcu-test",
            ["Dcu:DataDirectory"] = "/tmp/dcu-control-test",
            ["Buses:0:Name"] = "bus-1",
            ["Buses:0:Type"] = type,
            ["Buses:0:Port"] = "/dev/ttyS9",
            ["Meters:0:Id"] = "m1",
            ["Meters:0:Bus"] = "bus-1",
            ["Meters:0:Address"] = type.Contains("Modbus", StringComparison.Ordinal) ? "1" : "000000000001",
            ["Meters:0:Profile"] = type.Contains("Modbus", StringComparison.Ordinal) ? "eastron-sdm630" : "dlt645",
            ["Mqtt:Host"] = "127.0.0.1",
        };
        foreach (var (key, value) in changes) v[key] = value;
        return v;
    }

    private static (DcuSettings Settings, IReadOnlyList<string> Problems) Validate(Dictionary<string, string?> values)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var settings = SettingsResolver.Resolve(DcuSettings.Bind(configuration), configuration);
        return (settings, SettingsValidator.Validate(settings, null));
    }

    [Fact]
    public void Good_keys_give_the_control_settings()
    {
        var (settings, problems) = Validate(Site("Dlt645", ("Buses:0:RelayPassword", "02918273"), ("Buses:0:ClockPassword", "04111111"),
            ("Buses:0:OperatorCode", "0000A0B1"), ("Buses:0:RelayConnect", "ClosePermitted")));
        Assert.Empty(problems);
        var control = settings.Buses[0].ControlSettings("Buses:0");
        Assert.Equal(new Dlt645Password(2, 0x918273), control.RelayPassword);
        Assert.Equal(new Dlt645Password(4, 0x111111), control.ClockPassword);
        Assert.Equal(0x0000A0B1u, control.OperatorCode);
        Assert.Equal(Dlt645RelayCommand.ClosePermitted, control.ConnectCommand);
    }

    [Fact]
    public void A_real_bus_without_a_password_switches_no_relay_and_a_simulated_one_uses_the_simulators()
    {
        Assert.Null(Validate(Site("Dlt645")).Settings.Buses[0].ControlSettings("Buses:0").RelayPassword);
        var simulated = Validate(Site("SimulatedDlt645", ("Buses:0:Port", null))).Settings.Buses[0].ControlSettings("Buses:0");
        Assert.Equal(new Dlt645Password(2, 0), simulated.RelayPassword);
        Assert.Equal(Dlt645RelayCommand.CloseDirect, simulated.ConnectCommand);
    }

    [Theory]
    [InlineData("Buses:0:RelayPassword", "secret!!")]
    [InlineData("Buses:0:RelayPassword", "0291827")]
    [InlineData("Buses:0:ClockPassword", "04-11111")]
    public void A_bad_password_is_named_and_not_echoed(string key, string value)
    {
        var problem = Assert.Single(Validate(Site("Plc", (key, value))).Problems);
        Assert.StartsWith(key, problem, StringComparison.Ordinal);
        Assert.DoesNotContain(value, problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Buses:0:OperatorCode", "42")]
    [InlineData("Buses:0:OperatorCode", "zz000000")]
    [InlineData("Buses:0:RelayConnect", "Trip")]
    public void Bad_operator_code_or_connect_command_is_named(string key, string value) =>
        Assert.StartsWith(key, Assert.Single(Validate(Site("Dlt645", (key, value))).Problems), StringComparison.Ordinal);

    [Fact]
    public void Control_keys_on_a_modbus_bus_are_named() =>
        Assert.StartsWith("Buses:0:", Assert.Single(Validate(Site("ModbusRtu", ("Buses:0:RelayPassword", "02000000"))).Problems), StringComparison.Ordinal);

    [Fact]
    public void Time_sync_bands_and_relay_limits_bind_and_are_validated_by_key()
    {
        var (settings, problems) = Validate(Site("Dlt645", ("TimeSync:IgnoreBelow", "00:02:00"), ("TimeSync:CorrectBelow", "00:30:00"), ("Relay:MaxMeters", "20")));
        Assert.Empty(problems);
        Assert.Equal(TimeSpan.FromMinutes(2), settings.TimeSync.IgnoreBelow);
        Assert.Equal(TimeSpan.FromMinutes(30), settings.TimeSync.CorrectBelow);
        Assert.Equal(20, settings.Relay.MaxMeters);
        Assert.StartsWith("TimeSync:CorrectBelow", Assert.Single(Validate(Site("Dlt645", ("TimeSync:CorrectBelow", "00:01:00"))).Problems), StringComparison.Ordinal);
        Assert.Contains("TimeSync:Ignore", Assert.Throws<InvalidOperationException>(() => Validate(Site("Dlt645", ("TimeSync:Ignore", "00:01:00")))).Message, StringComparison.Ordinal);
    }
}
