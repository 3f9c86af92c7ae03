using Dcu.Drivers.Profiles;
using Dcu.Host.Configuration;
using Microsoft.Extensions.Configuration;

namespace Dcu.Host.Tests.Configuration;

/// <summary>
/// Binding and validation in-process: every bad configuration is refused with a message that names
/// the offending key, so a technician can fix dcu.json without reading code.
/// </summary>
public sealed class SettingsValidationTests
{
    private static readonly IReadOnlyDictionary<string, MeterProfile> Profiles =
        MeterProfileLoader.LoadDirectory(Path.Combine(AppContext.BaseDirectory, "meter-profiles"));

    /// <summary>A minimal valid site: one simulated bus, two SDM630 meters, one task.</summary>
    private static Dictionary<string, string?> Valid() => new()
    {
        ["Dcu:Id"] = "dcu-test",
        ["Dcu:DataDirectory"] = "/tmp/dcu-settings-test",
        ["Buses:0:Name"] = "rs485-1",
        ["Buses:0:Type"] = "SimulatedModbusRtu",
        ["Buses:0:BaudRate"] = "9600",
        ["Meters:0:Id"] = "m1",
        ["Meters:0:Bus"] = "rs485-1",
        ["Meters:0:Address"] = "1",
        ["Meters:0:Profile"] = "eastron-sdm630",
        ["Meters:1:Id"] = "m2",
        ["Meters:1:Bus"] = "rs485-1",
        ["Meters:1:Address"] = "2",
        ["Meters:1:Profile"] = "eastron-sdm630",
        ["Collection:Tasks:0:Name"] = "instant",
        ["Collection:Tasks:0:Interval"] = "00:01:00",
        ["Collection:Tasks:0:Quantities:0"] = "1.0.32.7.0",
        ["Mqtt:Host"] = "127.0.0.1",
        ["Mqtt:Port"] = "1883",
    };

    private static IConfigurationRoot Build(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build();

    private static IReadOnlyList<string> Problems(Dictionary<string, string?> values)
    {
        var configuration = Build(values);
        var settings = SettingsResolver.Resolve(DcuSettings.Bind(configuration), configuration);
        return SettingsValidator.Validate(settings, Profiles);
    }

    private static Dictionary<string, string?> With(params (string Key, string? Value)[] changes)
    {
        var v = Valid();
        foreach (var (key, value) in changes)
        {
            if (value is null) v.Remove(key);
            else v[key] = value;
        }
        return v;
    }

    private static string SingleProblemNaming(Dictionary<string, string?> values, string key)
    {
        var problems = Problems(values);
        var problem = Assert.Single(problems);
        Assert.Contains(key, problem, StringComparison.Ordinal);
        return problem;
    }

    [Fact]
    public void The_valid_baseline_has_no_problems() => Assert.Empty(Problems(Valid()));

    [Fact]
    public void Missing_dcu_id_is_named() =>
        SingleProblemNaming(With(("Dcu:Id", null)), "Dcu:Id");

    [Fact]
    public void Dcu_id_with_a_topic_wildcard_is_named() =>
        Assert.Contains(Problems(With(("Dcu:Id", "dcu/+"))), p => p.StartsWith("Dcu:Id 'dcu/+'", StringComparison.Ordinal));

    [Fact]
    public void Unknown_key_in_a_bus_is_an_error_naming_the_key()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => DcuSettings.Bind(Build(With(("Buses:0:Baud", "19200")))));
        Assert.Contains("Buses:0:Baud", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Dcu:HeartBeatPeriod")]
    [InlineData("Collection:Tasks:0:Period")]
    [InlineData("Mqtt:Tls")]
    [InlineData("Meters:1:Adress")]
    public void Unknown_key_anywhere_is_named_with_its_full_path(string key)
    {
        var ex = Assert.Throws<InvalidOperationException>(() => DcuSettings.Bind(Build(With((key, "1")))));
        Assert.Contains(key, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Known_keys_are_matched_case_insensitively_like_the_binder() =>
        Assert.Empty(Problems(With(("Buses:0:BaudRate", null), ("Buses:0:baudrate", "19200"))));

    [Fact]
    public void Unknown_section_is_an_error_naming_it()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => DcuSettings.Bind(Build(With(("Mqqt:Host", "broker")))));
        Assert.Contains("'Mqqt'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Value_of_the_wrong_type_is_an_error_naming_the_key()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => DcuSettings.Bind(Build(With(("Buses:0:BaudRate", "fast")))));
        Assert.Contains("Buses:0:BaudRate", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'fast'", ex.Message, StringComparison.Ordinal);
        ex = Assert.Throws<InvalidOperationException>(() => DcuSettings.Bind(Build(With(("Dcu:HeartbeatInterval", "often")))));
        Assert.Contains("Dcu:HeartbeatInterval", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Meter_on_an_unknown_bus_is_named() =>
        SingleProblemNaming(With(("Meters:1:Bus", "rs485-9")), "Meters:1:Bus");

    [Fact]
    public void Unknown_profile_is_named()
    {
        var problem = SingleProblemNaming(With(("Meters:0:Profile", "eastron-sdm999")), "Meters:0:Profile");
        Assert.Contains("eastron-sdm630", problem, StringComparison.Ordinal); // lists what there is
    }

    [Fact]
    public void Duplicate_unit_id_on_a_bus_is_named() =>
        SingleProblemNaming(With(("Meters:1:Address", "1")), "Meters:1:Address");

    [Fact]
    public void Unit_id_out_of_range_is_named() =>
        SingleProblemNaming(With(("Meters:1:Address", "248")), "Meters:1:Address");

    [Fact]
    public void Duplicate_meter_id_is_named() =>
        SingleProblemNaming(With(("Meters:1:Id", "m1")), "Meters:1:Id");

    [Fact]
    public void Bad_obis_code_in_a_task_is_named() =>
        SingleProblemNaming(With(("Collection:Tasks:0:Quantities:0", "1.0.32.7")), "Collection:Tasks:0:Quantities:0");

    [Theory]
    [InlineData("00:07:00")] // 1440 / 7 is not whole
    [InlineData("00:00:00")]
    [InlineData("2.00:00:00")]
    public void Interval_that_does_not_divide_a_day_is_named(string interval) =>
        SingleProblemNaming(With(("Collection:Tasks:0:Interval", interval)), "Collection:Tasks:0:Interval");

    [Theory]
    [InlineData("00:00:01")]
    [InlineData("00:00:02")]
    [InlineData("00:15:00")]
    [InlineData("1.00:00:00")]
    public void Intervals_that_divide_a_day_are_accepted(string interval) =>
        Assert.Empty(Problems(With(("Collection:Tasks:0:Interval", interval))));

    [Fact]
    public void Task_naming_an_unknown_meter_is_named() =>
        SingleProblemNaming(With(("Collection:Tasks:0:Meters:0", "m9")), "Collection:Tasks:0:Meters:0");

    [Fact]
    public void Unknown_publisher_encoding_is_named()
    {
        SingleProblemNaming(With(("Publisher:Encoding", "gzip")), "Publisher:Encoding");
        Assert.Empty(Problems(With(("Publisher:Encoding", "compact"))));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("65536")]
    public void Mqtt_port_out_of_range_is_named(string port) =>
        SingleProblemNaming(With(("Mqtt:Port", port)), "Mqtt:Port");

    [Fact]
    public void Rtu_bus_without_a_port_is_named() =>
        SingleProblemNaming(With(("Buses:0:Type", "ModbusRtu")), "Buses:0:Port");

    [Fact]
    public void Unknown_bus_type_is_an_error_naming_the_key()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => DcuSettings.Bind(Build(With(("Buses:0:Type", "Zigbee")))));
        Assert.Contains("Buses:0:Type", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Several_problems_are_all_reported()
    {
        var problems = Problems(With(("Dcu:Id", null), ("Meters:1:Bus", "nowhere"), ("Mqtt:Port", "0")));
        Assert.Equal(3, problems.Count);
    }

    [Fact]
    public void Client_id_and_topics_follow_the_dcu_id()
    {
        var configuration = Build(Valid());
        var settings = SettingsResolver.Resolve(DcuSettings.Bind(configuration), configuration);
        Assert.Equal("dcu-test", settings.Mqtt.ClientId);
        Assert.Equal("dcu/dcu-test/status", settings.Mqtt.ResolvedStatusTopic);
        Assert.Equal(Path.Combine("/tmp/dcu-settings-test", "outbox.db"), settings.Outbox.Path);
    }
    private static Dictionary<string, string?> WithPlcBus(params (string Key, string? Value)[] changes)
    {
        var v = With(
            ("Buses:1:Name", "plc-1"),
            ("Buses:1:Type", "SimulatedPlc"),
            ("Buses:1:MaxConcurrency", "4"),
            ("Meters:2:Id", "plc-a"),
            ("Meters:2:Bus", "plc-1"),
            ("Meters:2:Address", "000000001001"));
        foreach (var (key, value) in changes)
        {
            if (value is null) v.Remove(key);
            else v[key] = value;
        }
        return v;
    }

    [Fact]
    public void A_plc_bus_with_dlt645_meters_and_no_profile_is_valid() => Assert.Empty(Problems(WithPlcBus()));

    [Fact]
    public void A_plc_meter_needs_a_12_digit_address() =>
        SingleProblemNaming(WithPlcBus(("Meters:2:Address", "7")), "Meters:2:Address");

    [Fact]
    public void A_modbus_meter_address_is_a_unit_id_even_beside_plc_meters() =>
        SingleProblemNaming(WithPlcBus(("Meters:0:Address", "000000001001")), "Meters:0:Address");

    [Fact]
    public void Two_plc_meters_with_one_address_are_named() =>
        SingleProblemNaming(WithPlcBus(("Meters:3:Id", "plc-b"), ("Meters:3:Bus", "plc-1"), ("Meters:3:Address", "000000001001")), "Meters:3:Address");

    [Fact]
    public void A_serial_line_never_gets_more_than_one_request_in_flight() =>
        SingleProblemNaming(With(("Buses:0:MaxConcurrency", "2")), "Buses:0:MaxConcurrency");

    [Fact]
    public void Plc_concurrency_is_bounded() =>
        SingleProblemNaming(WithPlcBus(("Buses:1:MaxConcurrency", "64")), "Buses:1:MaxConcurrency");

    [Fact]
    public void Plc_main_node_address_is_checked() =>
        SingleProblemNaming(WithPlcBus(("Buses:1:MainNodeAddress", "12345")), "Buses:1:MainNodeAddress");

    [Fact]
    public void Simulated_line_loss_is_bounded() =>
        SingleProblemNaming(WithPlcBus(("Buses:1:Simulation:LossRate", "0.9")), "Buses:1:Simulation:LossRate");

    [Fact]
    public void A_real_plc_bus_needs_its_uart() =>
        SingleProblemNaming(WithPlcBus(("Buses:1:Type", "Plc")), "Buses:1:Port");

    [Fact]
    public void Dlt645_buses_default_to_2400_baud_even_parity_and_plc_to_15_s_replies()
    {
        var dlt = new BusOptions { Type = BusType.Dlt645 };
        var plc = new BusOptions { Type = BusType.Plc };
        Assert.Equal((2400, Dcu.Drivers.Links.SerialParity.Even), (dlt.EffectiveBaudRate, dlt.EffectiveParity));
        Assert.Equal(TimeSpan.FromSeconds(15), plc.EffectiveResponseTimeout);
        Assert.Equal((9600, Dcu.Drivers.Links.SerialParity.None, TimeSpan.FromSeconds(1)),
            (new BusOptions().EffectiveBaudRate, new BusOptions().EffectiveParity, new BusOptions().EffectiveResponseTimeout));
    }

    private static Dictionary<string, string?> Dlt645Site(params (string Key, string? Value)[] changes)
    {
        var v = With(("Buses:0:Type", "SimulatedDlt645"), ("Buses:0:BaudRate", "2400"), ("Meters:0:Address", "000000000001"), ("Meters:0:Profile", "dlt645"),
            ("Meters:1:Address", "000000000002"), ("Meters:1:Profile", "dlt645"));
        foreach (var (key, value) in changes) v[key] = value;
        return v;
    }

    [Theory]
    [InlineData("08:00:00")]
    [InlineData("-05:30:00")]
    public void Meter_utc_offset_on_a_dlt645_bus_is_accepted(string offset) =>
        Assert.Empty(Problems(Dlt645Site(("Buses:0:MeterUtcOffset", offset))));

    [Theory]
    [InlineData("15:00:00")]
    [InlineData("08:00:30")]
    public void Meter_utc_offset_out_of_range_is_named(string offset) =>
        SingleProblemNaming(Dlt645Site(("Buses:0:MeterUtcOffset", offset)), "Buses:0:MeterUtcOffset");

    [Fact]
    public void Meter_utc_offset_on_a_modbus_bus_is_named() =>
        SingleProblemNaming(With(("Buses:0:MeterUtcOffset", "08:00:00")), "Buses:0:MeterUtcOffset");

    [Fact]
    public void Meter_utc_offset_applies_to_plc_meters_too() =>
        Assert.Empty(Problems(WithPlcBus(("Buses:1:MeterUtcOffset", "08:00:00"))));
}
