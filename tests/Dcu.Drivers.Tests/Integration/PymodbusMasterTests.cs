using Dcu.Core.Model;
using Dcu.Drivers.Links;
using Dcu.Drivers.Modbus;
using Dcu.Drivers.Profiles;
using Dcu.Drivers.Tests.Modbus;
using Dcu.Testing;
using static Dcu.Drivers.Tests.Profiles.TestData;

namespace Dcu.Drivers.Tests.Integration;

/// <summary>
/// The real <see cref="ModbusRtuMaster"/> on a real <see cref="SerialByteLink"/> over a pty,
/// against pymodbus: several units, a silent unit, an exception unit, FC 03/04/06/16, and a whole
/// SDM630 profile through <see cref="ModbusMeterReader"/>.
/// </summary>
public sealed class PymodbusMasterTests(PymodbusBusFixture bus) : IClassFixture<PymodbusBusFixture>
{
    // Generous first-byte timeout and one retry: 2 cores shared with builds, and python answers on its own schedule.
    private readonly ModbusRtuMaster _master = new(bus.Link, new ModbusRtuMasterOptions { ResponseTimeout = TimeSpan.FromSeconds(2), Retries = 1 });

    private static float Float(byte[] bytes, int register = 0) =>
        (float)RegisterDecoder.Decode(bytes.AsSpan(2 * register, 4), RegisterType.Float32, WordOrder.HighFirst);

    [Fact]
    public void Rs485_mode_is_not_supported_on_a_pty_and_the_link_still_opened()
    {
        Assert.False(bus.Link.Rs485Active);
        Assert.Equal(Rs485Native.ENOTTY, Rs485Native.TryEnable(bus.Link.Name, rtsOnSend: true, 0, 0));
    }

    [Fact]
    public async Task Reads_each_unit_on_the_line()
    {
        foreach (var unit in PymodbusBusFixture.Units)
        {
            var voltages = await _master.ReadRegistersAsync(unit, ModbusFunction.ReadInputRegisters, PymodbusServer.VoltageL1Address, 6, CancellationToken.None);
            Assert.Equal([230.2f, 231.0f, 229.8f], [Float(voltages, 0), Float(voltages, 2), Float(voltages, 4)]);
            var power = await _master.ReadRegistersAsync(unit, ModbusFunction.ReadInputRegisters, PymodbusServer.TotalPowerAddress, 2, CancellationToken.None);
            Assert.Equal(PymodbusServer.TotalPowerOf(unit), Float(power));
        }

        Assert.Equal(2 * PymodbusBusFixture.Units.Length, _master.Counters.Snapshot().Responses);
    }

    [Fact]
    public async Task Holding_registers_fc03_mirror_the_input_registers()
    {
        var bytes = await _master.ReadRegistersAsync(2, ModbusFunction.ReadHoldingRegisters, PymodbusServer.VoltageL1Address, 2, CancellationToken.None);
        Assert.Equal("43663333", Hex.Of(bytes));
    }

    [Fact]
    public async Task Writes_fc06_and_fc16_land_in_the_holding_registers()
    {
        // 0x00F0.. is unused by the meter map, so other tests never see these values.
        await _master.WriteSingleRegisterAsync(3, 0x00F0, 0x1234, CancellationToken.None);
        await _master.WriteMultipleRegistersAsync(3, 0x00F1, new ushort[] { 0x000A, 0x0102, 0xBEEF }, CancellationToken.None);

        var bytes = await _master.ReadRegistersAsync(3, ModbusFunction.ReadHoldingRegisters, 0x00F0, 4, CancellationToken.None);
        Assert.Equal("1234000A0102BEEF", Hex.Of(bytes));
    }

    [Fact]
    public async Task Meter_reader_reads_an_sdm630_profile()
    {
        var reader = new ModbusMeterReader(_master, ShippedProfiles);
        var meter = new Meter(new MeterId("sdm-3"), "pty", MeterProtocol.ModbusRtu, "3", "eastron-sdm630");

        var values = await reader.ReadAsync(meter, reader.SupportedQuantities(meter), CancellationToken.None);

        Assert.Equal(ShippedProfiles["eastron-sdm630"].Registers.Count, values.Count);
        void AssertValue(ObisCode obis, double expected, string unit)
        {
            var value = values.Single(v => v.Obis == obis);
            Assert.Equal(expected, value.Value, 1e-4);
            Assert.Equal(unit, value.Unit);
        }

        AssertValue(ObisCode.VoltageL1, PymodbusServer.VoltageL1, "V");
        AssertValue(ObisCode.VoltageL3, 229.8f, "V");
        AssertValue(ObisCode.CurrentL1, 5.25, "A");
        AssertValue(ObisCode.ActivePowerTotal, PymodbusServer.TotalPowerOf(3), "W");
        AssertValue(ObisCode.Frequency, PymodbusServer.Frequency, "Hz");
        AssertValue(ObisCode.ActiveEnergyImport, PymodbusServer.ImportKwh, "kWh");
        AssertValue(ObisCode.ActiveEnergyExport, 12.5, "kWh");
    }

    [Fact]
    public async Task Silent_unit_times_out_and_the_same_master_reads_the_next_unit_right_after()
    {
        // No retries, so the silent unit costs one response timeout; 1 s still leaves pymodbus room on a busy box.
        var master = new ModbusRtuMaster(bus.Link, new ModbusRtuMasterOptions { ResponseTimeout = TimeSpan.FromSeconds(1), Retries = 0 });

        await Assert.ThrowsAsync<TimeoutException>(() =>
            master.ReadRegistersAsync(PymodbusBusFixture.SilentUnit, ModbusFunction.ReadInputRegisters, 0, 2, CancellationToken.None));
        var bytes = await master.ReadRegistersAsync(1, ModbusFunction.ReadInputRegisters, PymodbusServer.ImportKwhAddress, 2, CancellationToken.None);

        Assert.Equal("449A5000", Hex.Of(bytes));
        var counters = master.Counters.Snapshot();
        Assert.Equal(1, counters.Timeouts);
        Assert.Equal(1, counters.Responses);
    }

    [Fact]
    public async Task Exception_unit_gives_a_device_exception_with_code_02_and_the_line_goes_on()
    {
        var ex = await Assert.ThrowsAsync<ModbusDeviceException>(() =>
            _master.ReadRegistersAsync(PymodbusBusFixture.ExceptionUnit, ModbusFunction.ReadInputRegisters, 0, 2, CancellationToken.None));
        Assert.Equal("exception_02", ex.Reason);
        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, ex.Code);
        Assert.Equal(PymodbusBusFixture.ExceptionUnit, ex.Unit);

        var bytes = await _master.ReadRegistersAsync(1, ModbusFunction.ReadInputRegisters, PymodbusServer.VoltageL1Address, 2, CancellationToken.None);
        Assert.Equal("43663333", Hex.Of(bytes));
        var counters = _master.Counters.Snapshot();
        Assert.Equal(1, counters.Exceptions);
        Assert.Equal(0, counters.Retries); // 02 is not transient
    }

    [Fact]
    public async Task Read_beyond_the_served_map_is_exception_02()
    {
        var ex = await Assert.ThrowsAsync<ModbusDeviceException>(() =>
            _master.ReadRegistersAsync(1, ModbusFunction.ReadInputRegisters, 0x0100, 2, CancellationToken.None));
        Assert.Equal("exception_02", ex.Reason);
    }
}
