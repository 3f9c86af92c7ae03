using Dcu.Core.Abstractions;
using Dcu.Core.Model;
using Dcu.Drivers.Modbus;
using Dcu.Testing;
using static Dcu.Drivers.Tests.Profiles.TestData;

namespace Dcu.Drivers.Tests.Integration;

/// <summary>
/// An <see cref="IModbusMaster"/> against pymodbus over a pty: several units, a silent unit, an
/// exception unit. The master comes from <see cref="PymodbusBusFixture.MasterFactory"/>: a test-only
/// master in this branch; at merge, ModbusRtuMaster (TODO(merge)).
/// </summary>
public sealed class PymodbusMasterTests(PymodbusBusFixture bus) : IClassFixture<PymodbusBusFixture>
{
    private readonly IModbusMaster _master = PymodbusBusFixture.MasterFactory(bus.Link);

    [Fact]
    public async Task Reads_each_unit_on_the_line()
    {
        foreach (var unit in PymodbusBusFixture.Units)
        {
            var bytes = await _master.ReadRegistersAsync(unit, ModbusFunction.ReadInputRegisters, PymodbusServer.TotalPowerAddress, 2, CancellationToken.None);
            Assert.Equal(PymodbusServer.TotalPowerOf(unit), Dcu.Drivers.Profiles.RegisterDecoder.Decode(bytes, Dcu.Drivers.Profiles.RegisterType.Float32, Dcu.Drivers.Profiles.WordOrder.HighFirst), 1e-3);
        }
    }

    [Fact]
    public async Task Holding_registers_mirror_the_input_registers()
    {
        var bytes = await _master.ReadRegistersAsync(2, ModbusFunction.ReadHoldingRegisters, PymodbusServer.VoltageL1Address, 2, CancellationToken.None);
        Assert.Equal("43663333", Hex(bytes));
    }

    [Fact]
    public async Task Meter_reader_reads_an_sdm630_profile()
    {
        var reader = new ModbusMeterReader(_master, ShippedProfiles);
        var meter = new Meter(new MeterId("sdm-3"), "pty", MeterProtocol.ModbusRtu, "3", "eastron-sdm630");
        var values = await reader.ReadAsync(meter, reader.SupportedQuantities(meter), CancellationToken.None);
        Assert.Equal(PymodbusServer.VoltageL1, values.Single(v => v.Obis == ObisCode.VoltageL1).Value, 1e-4);
        Assert.Equal(PymodbusServer.ImportKwh, values.Single(v => v.Obis == ObisCode.ActiveEnergyImport).Value, 1e-4);
        Assert.Equal(PymodbusServer.Frequency, values.Single(v => v.Obis == ObisCode.Frequency).Value, 1e-4);
        Assert.Equal(1003.0, values.Single(v => v.Obis == ObisCode.ActivePowerTotal).Value, 1e-3);
        Assert.Equal("kWh", values.Single(v => v.Obis == ObisCode.ActiveEnergyImport).Unit);
    }

    [Fact]
    public async Task Silent_unit_times_out_and_the_line_recovers()
    {
        await Assert.ThrowsAsync<TimeoutException>(() =>
            _master.ReadRegistersAsync(PymodbusBusFixture.SilentUnit, ModbusFunction.ReadInputRegisters, 0, 2, CancellationToken.None));
        var bytes = await _master.ReadRegistersAsync(1, ModbusFunction.ReadInputRegisters, PymodbusServer.ImportKwhAddress, 2, CancellationToken.None);
        Assert.Equal("449A5000", Hex(bytes));
    }

    [Fact]
    public async Task Exception_unit_gives_a_protocol_error_with_code_02()
    {
        var ex = await Assert.ThrowsAsync<MeterProtocolException>(() =>
            _master.ReadRegistersAsync(PymodbusBusFixture.ExceptionUnit, ModbusFunction.ReadInputRegisters, 0, 2, CancellationToken.None));
        Assert.Equal("exception_02", ex.Reason);
    }

    [Fact]
    public async Task Read_beyond_the_served_map_is_exception_02()
    {
        var ex = await Assert.ThrowsAsync<MeterProtocolException>(() =>
            _master.ReadRegistersAsync(1, ModbusFunction.ReadInputRegisters, 0x0100, 2, CancellationToken.None));
        Assert.Equal("exception_02", ex.Reason);
    }
}
