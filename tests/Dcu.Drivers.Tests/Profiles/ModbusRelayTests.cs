using Dcu.Core.Abstractions;
using Dcu.Core.Model;
using Dcu.Drivers.Modbus;
using Dcu.Drivers.Profiles;
using Dcu.Drivers.Simulation;
using Microsoft.Extensions.Time.Testing;
using static Dcu.Drivers.Tests.Profiles.TestData;

namespace Dcu.Drivers.Tests.Profiles;

/// <summary>The optional "relay" section of a Modbus meter profile: loading, and switching through the RTU master against the simulated meter.</summary>
public sealed class ModbusRelayTests
{
    private static readonly string ExamplePath = Path.Combine(ProfilesDirectory, "examples", "example-meter-with-relay.json");

    private static Meter MeterOf(string profile, string unit) => new(new MeterId("relay-1"), "rs485-1", MeterProtocol.ModbusRtu, unit, profile);

    private static string Profile(string relay) => $$"""
        {"name":"p","registers":[{"obis":"1.0.32.7.0","address":0,"function":4,"type":"float32","unit":"V"}],"relay":{{relay}}}
        """;

    [Fact]
    public void The_example_profile_loads_with_its_relay_and_no_shipped_profile_has_one()
    {
        var example = MeterProfileLoader.LoadFile(ExamplePath);
        Assert.Equal(new RelayMap(ModbusFunction.WriteSingleRegister, 0x4000, 0, 1, ModbusFunction.ReadHoldingRegisters, 0x4001, 1, 0), example.Relay);
        Assert.All(ShippedProfiles.Values, p => Assert.Null(p.Relay));
        Assert.DoesNotContain(example.Name, ShippedProfiles.Keys); // examples/ is not loaded
    }

    [Fact]
    public async Task Disconnect_and_connect_through_the_profile_registers_read_back_and_stop_the_energy()
    {
        var profile = MeterProfileLoader.LoadFile(ExamplePath);
        var profiles = new Dictionary<string, MeterProfile> { [profile.Name] = profile, ["eastron-sdm630"] = ShippedProfiles["eastron-sdm630"] };
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 18, 0, 0, TimeSpan.Zero));
        await using var bus = new SimulatedRtuBus(time);
        var meter = new SimulatedModbusMeter(7, profile, time, seed: 2);
        bus.Attach(meter);
        await bus.OpenAsync(CancellationToken.None);
        var reader = new ModbusMeterReader(new ModbusRtuMaster(bus, new ModbusRtuMasterOptions { ResponseTimeout = TimeSpan.FromSeconds(1) }), profiles);
        var m = MeterOf(profile.Name, "7");

        Assert.True(reader.SupportsRelay(m));
        Assert.False(reader.SupportsRelay(MeterOf("eastron-sdm630", "8")));
        Assert.False(reader.SupportsClock(m));
        Assert.False(await reader.BroadcastTimeAsync(time.GetUtcNow(), CancellationToken.None));
        Assert.Equal(RelayState.Connected, await reader.ReadRelayAsync(m, CancellationToken.None));

        await reader.SetRelayAsync(m, RelayAction.Disconnect, CancellationToken.None);
        Assert.True(meter.RelayOpen);
        Assert.Equal(RelayState.Disconnected, await reader.ReadRelayAsync(m, CancellationToken.None));
        var energy = meter.Read(ObisCode.ActiveEnergyImport);
        time.Advance(TimeSpan.FromHours(1));
        var values = await reader.ReadAsync(m, [ObisCode.ActivePowerTotal, ObisCode.CurrentL1, ObisCode.ActiveEnergyImport], CancellationToken.None);
        Assert.Equal(0, values.Single(v => v.Obis == ObisCode.ActivePowerTotal).Value);
        Assert.Equal(0, values.Single(v => v.Obis == ObisCode.CurrentL1).Value);
        Assert.Equal(energy, values.Single(v => v.Obis == ObisCode.ActiveEnergyImport).Value, 3);

        await reader.SetRelayAsync(m, RelayAction.Connect, CancellationToken.None);
        Assert.Equal(RelayState.Connected, await reader.ReadRelayAsync(m, CancellationToken.None));
        await Assert.ThrowsAsync<NotSupportedException>(() => reader.SetRelayAsync(MeterOf("eastron-sdm630", "8"), RelayAction.Disconnect, CancellationToken.None));
    }

    [Theory]
    [InlineData("""{"write":{"function":5,"address":1,"disconnect":0,"connect":1},"state":{"function":3,"address":2,"connectedValue":1}}""", "relay.write.function", "coils (5) are not supported")]
    [InlineData("""{"write":{"function":6,"address":1,"disconnect":0,"connect":1},"state":{"function":1,"address":2,"connectedValue":1}}""", "relay.state.function", "must be 3")]
    [InlineData("""{"write":{"function":6,"address":1,"disconnect":1,"connect":1},"state":{"function":3,"address":2,"connectedValue":1}}""", "relay.write.connect", "must differ")]
    [InlineData("""{"write":{"function":6,"address":1,"disconnect":0,"connect":1}}""", "relay.state", "is required")]
    [InlineData("""{"write":{"function":6,"address":1,"disconnect":0,"connect":70000},"state":{"function":3,"address":2,"connectedValue":1}}""", "relay.write.connect", "0..65535")]
    [InlineData("""{"write":{"function":6,"address":1,"disconnect":0,"connect":1},"state":{"function":3,"address":2,"connectedValue":1,"mask":1}}""", "relay.state.mask", "unknown field")]
    [InlineData("""{"write":{"function":6,"address":"0xZZ","disconnect":0,"connect":1},"state":{"function":3,"address":2,"connectedValue":1}}""", "relay.write.address", "not a register address")]
    public void A_bad_relay_section_is_named_by_file_and_field(string relay, string field, string message)
    {
        var ex = Assert.Throws<MeterProfileException>(() => MeterProfileLoader.Parse(Profile(relay), "x.json"));
        Assert.Equal(("x.json", field), (ex.File, ex.Field));
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }
}
