using Dcu.Core.Abstractions;
using Dcu.Core.Model;
using Dcu.Drivers.Modbus;
using Dcu.Drivers.Profiles;
using Dcu.Drivers.Simulation;
using Dcu.Drivers.Tests.Modbus;
using Microsoft.Extensions.Time.Testing;
using static Dcu.Drivers.Tests.Profiles.TestData;

namespace Dcu.Drivers.Tests.Profiles;

// ModbusMeterReader lives in Dcu.Drivers/Modbus; its tests sit with the profiles it is built on.
public class ModbusMeterReaderTests
{
    private sealed class FakeMaster : IModbusMaster
    {
        public List<(byte Unit, ModbusFunction Function, ushort Start, ushort Count)> Requests { get; } = [];

        public Func<byte, ModbusFunction, ushort, ushort, byte[]> Answer { get; set; } = (_, _, _, count) => new byte[count * 2];

        public ModbusBusCounters Counters => throw new NotSupportedException();

        public Task<byte[]> ReadRegistersAsync(byte unit, ModbusFunction function, ushort start, ushort count, CancellationToken cancellationToken)
        {
            Requests.Add((unit, function, start, count));
            return Task.FromResult(Answer(unit, function, start, count));
        }

        public Task WriteSingleRegisterAsync(byte unit, ushort address, ushort value, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task WriteMultipleRegistersAsync(byte unit, ushort start, ReadOnlyMemory<ushort> values, CancellationToken cancellationToken) => throw new NotSupportedException();
    }

    private static Meter MeterOf(string profile, string address = "1") => new(new MeterId("m1"), "rs485-1", MeterProtocol.ModbusRtu, address, profile);

    [Fact]
    public async Task Reads_sdm630_in_planned_requests_and_decodes()
    {
        var master = new FakeMaster
        {
            Answer = (_, _, start, count) =>
            {
                var bytes = new byte[count * 2];
                if (start == 0x0000) Hex.Bytes("43663333").CopyTo(bytes, 0);            // 230.2 V at 0x0000
                if (start == 0x0048) Hex.Bytes("449A5000").CopyTo(bytes, 0);            // 1234.5 kWh at 0x0048
                return bytes;
            },
        };
        var reader = new ModbusMeterReader(master, ShippedProfiles);
        var values = await reader.ReadAsync(MeterOf("eastron-sdm630", "7"),
            [ObisCode.ActiveEnergyImport, ObisCode.VoltageL1, new ObisCode(1, 0, 99, 99, 0)], CancellationToken.None);

        Assert.Equal([((byte)7, ModbusFunction.ReadInputRegisters, (ushort)0x0000, (ushort)2), ((byte)7, ModbusFunction.ReadInputRegisters, (ushort)0x0048, (ushort)2)],
            master.Requests);
        Assert.Equal(2, values.Count);
        Assert.Equal(ObisCode.ActiveEnergyImport, values[0].Obis);
        Assert.Equal(1234.5, values[0].Value, 1e-6);
        Assert.Equal("kWh", values[0].Unit);
        Assert.Equal(230.2, values[1].Value, 1e-4);
        Assert.Equal("V", values[1].Unit);
    }

    [Fact]
    public async Task Whole_profile_takes_the_planned_number_of_requests()
    {
        var master = new FakeMaster();
        var reader = new ModbusMeterReader(master, ShippedProfiles);
        var meter = MeterOf("eastron-sdm630");
        var values = await reader.ReadAsync(meter, reader.SupportedQuantities(meter), CancellationToken.None);
        Assert.Equal(16, values.Count);
        Assert.Equal(2, master.Requests.Count);
    }

    [Fact]
    public async Task Unknown_profile_is_a_clear_error()
    {
        var reader = new ModbusMeterReader(new FakeMaster(), ShippedProfiles);
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => reader.ReadAsync(MeterOf("acme-9000"), [ObisCode.VoltageL1], CancellationToken.None));
        Assert.Contains("'acme-9000'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("eastron-sdm630", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => reader.SupportedQuantities(MeterOf("acme-9000")));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("248")]
    [InlineData("x1")]
    [InlineData("")]
    [InlineData("-1")]
    public async Task Bad_unit_id_is_a_clear_error(string address)
    {
        var reader = new ModbusMeterReader(new FakeMaster(), ShippedProfiles);
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => reader.ReadAsync(MeterOf("eastron-sdm630", address), [ObisCode.VoltageL1], CancellationToken.None));
        Assert.Contains("1..247", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Short_reply_is_a_protocol_error()
    {
        var reader = new ModbusMeterReader(new FakeMaster { Answer = (_, _, _, _) => new byte[2] }, ShippedProfiles);
        var ex = await Assert.ThrowsAsync<MeterProtocolException>(() => reader.ReadAsync(MeterOf("eastron-sdm630"), [ObisCode.VoltageL1], CancellationToken.None));
        Assert.Equal("wrong_length", ex.Reason);
    }

    [Fact]
    public async Task Nan_registers_are_left_out()
    {
        var reader = new ModbusMeterReader(new FakeMaster { Answer = (_, _, _, count) => Enumerable.Repeat(Hex.Bytes("7FC00000"), count / 2).SelectMany(b => b).ToArray() }, ShippedProfiles);
        Assert.Empty(await reader.ReadAsync(MeterOf("eastron-sdm630"), [ObisCode.VoltageL1], CancellationToken.None));
    }

    [Fact]
    public async Task Exception_02_over_a_gap_falls_back_to_one_request_per_quantity()
    {
        var master = new FakeMaster
        {
            Answer = (_, _, start, count) => count > 2
                ? throw new MeterProtocolException("exception_02", "illegal data address")
                : start == 0x0046 ? Hex.Bytes("42480000") : Hex.Bytes("43663333"),
        };
        var reader = new ModbusMeterReader(master, ShippedProfiles);
        var values = await reader.ReadAsync(MeterOf("eastron-sdm630"), [ObisCode.Frequency, ObisCode.ActiveEnergyExport], CancellationToken.None);
        Assert.Equal([(ushort)0x0046, (ushort)0x0046, (ushort)0x004A], master.Requests.Select(r => r.Start));
        Assert.Equal(2, values.Count);
        Assert.Equal(50.0, values.Single(v => v.Obis == ObisCode.Frequency).Value, 1e-6);
    }

    [Fact]
    public async Task Exception_without_gap_propagates()
    {
        var master = new FakeMaster { Answer = (_, _, _, _) => throw new MeterProtocolException("exception_02", "illegal data address") };
        var reader = new ModbusMeterReader(master, ShippedProfiles);
        var ex = await Assert.ThrowsAsync<MeterProtocolException>(() => reader.ReadAsync(MeterOf("eastron-sdm630"), [ObisCode.VoltageL1, ObisCode.VoltageL2], CancellationToken.None));
        Assert.Equal("exception_02", ex.Reason);
        Assert.Single(master.Requests);
    }

    [Theory]
    [InlineData("eastron-sdm120")]
    [InlineData("eastron-sdm630")]
    [InlineData("carlo-gavazzi-em24")]
    [InlineData("abb-b23")]
    public async Task Reads_every_profile_end_to_end_through_the_simulated_bus(string profileName)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 6, 1, 18, 0, 0, TimeSpan.Zero));
        await using var bus = new SimulatedRtuBus(time);
        var meter = new SimulatedModbusMeter(5, ShippedProfiles[profileName], time, seed: 1) { StrictAddressing = true };
        meter.Pin(ObisCode.VoltageL1, 230.2);
        meter.Pin(ObisCode.ActiveEnergyImport, 1234.5);
        bus.Attach(meter);
        await bus.OpenAsync(CancellationToken.None);
        var reader = new ModbusMeterReader(new ModbusRtuMaster(bus, new ModbusRtuMasterOptions { ResponseTimeout = TimeSpan.FromSeconds(1) }), ShippedProfiles);
        var m = MeterOf(profileName, "5");

        var values = await reader.ReadAsync(m, reader.SupportedQuantities(m), CancellationToken.None);

        Assert.Equal(ShippedProfiles[profileName].Registers.Count, values.Count);
        Assert.Equal(230.2, values.Single(v => v.Obis == ObisCode.VoltageL1).Value, 0.01);
        Assert.Equal(1234.5, values.Single(v => v.Obis == ObisCode.ActiveEnergyImport).Value, 0.01);
        Assert.InRange(values.Single(v => v.Obis == ObisCode.Frequency).Value, 49.8, 50.2);
        // Strict addressing: merged reads over holes were refused and retried per quantity.
        Assert.True(bus.FramesAnswered >= ReadPlan.Create(ShippedProfiles[profileName].Registers).Requests.Count);
    }
}
