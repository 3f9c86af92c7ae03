using Dcu.Core.Abstractions;
using Dcu.Core.Model;
using Dcu.Drivers.Modbus;
using Dcu.Drivers.Simulation;
using Dcu.Drivers.Tests.Modbus;
using Dcu.Drivers.Tests.Simulation;
using Microsoft.Extensions.Time.Testing;
using static Dcu.Drivers.Tests.Profiles.TestData;

namespace Dcu.Drivers.Tests.Integration;

/// <summary>
/// The real <see cref="ModbusRtuMaster"/> against the profile-driven <see cref="SimulatedRtuBus"/>:
/// the spec vectors end to end, faults of the bus as the master sees them, and a small site read
/// through <see cref="ModbusMeterReader"/>.
/// </summary>
public sealed class RtuMasterOnSimulatedBusTests : IAsyncDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 6, 1, 18, 0, 0, TimeSpan.Zero));
    private readonly SimulatedRtuBus _bus;
    private readonly SimulatedModbusMeter _sdm;
    private readonly SimulatedModbusMeter _abb;
    private readonly ModbusRtuMaster _master;

    public RtuMasterOnSimulatedBusTests()
    {
        (_bus, _sdm, _abb) = SpecExampleBus.Create(_time);
        _master = new ModbusRtuMaster(_bus, new ModbusRtuMasterOptions { ResponseTimeout = TimeSpan.FromMilliseconds(500) });
    }

    public ValueTask DisposeAsync() => _bus.DisposeAsync();

    [Theory]
    [InlineData("fc04_0000_x2")]
    [InlineData("fc04_0048_x2")]
    [InlineData("fc03_unit11_006B_x3")]
    public async Task Spec_read_vectors_end_to_end(string name)
    {
        var c = ModbusVectors.Rtu[name];
        var data = await _master.ReadRegistersAsync(c.Request.Unit, c.Request.Function, c.Request.Address, c.Request.Quantity, CancellationToken.None);
        Assert.Equal(Hex.Of(Hex.Bytes(c.DataHex!)), Hex.Of(data));
    }

    [Fact]
    public async Task Writes_end_to_end_land_in_the_holding_registers()
    {
        await _master.WriteSingleRegisterAsync(1, 0x0001, 0x0003, CancellationToken.None);
        Assert.True(_sdm.TryGetHoldingRegister(1, out var single) && single == 0x0003);

        await _master.WriteMultipleRegistersAsync(1, 0x0001, new ushort[] { 0x000A, 0x0102 }, CancellationToken.None);
        Assert.True(_sdm.TryGetHoldingRegister(1, out var a) && a == 0x000A);
        Assert.True(_sdm.TryGetHoldingRegister(2, out var b) && b == 0x0102);
    }

    [Fact]
    public async Task Write_to_a_measurement_is_refused_with_exception_02()
    {
        var ex = await Assert.ThrowsAsync<ModbusDeviceException>(() => _master.WriteSingleRegisterAsync(1, 0x0000, 1, CancellationToken.None));
        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, ex.Code);
    }

    [Fact]
    public async Task Function_the_meter_lacks_is_exception_01_without_retries()
    {
        var ex = await Assert.ThrowsAsync<ModbusDeviceException>(() =>
            _master.ReadRegistersAsync(1, ModbusFunction.ReadHoldingRegisters, 0, 2, CancellationToken.None));
        Assert.Equal(ModbusExceptionCode.IllegalFunction, ex.Code);
        Assert.Equal("exception_01", ex.Reason);
        Assert.Equal(1, _bus.FramesReceived);
    }

    [Fact]
    public async Task Replies_one_byte_per_read_are_assembled()
    {
        _bus.ReplyChunkSize = 1;
        var data = await _master.ReadRegistersAsync(1, ModbusFunction.ReadInputRegisters, 0x0000, 2, CancellationToken.None);
        Assert.Equal("43663333", Hex.Of(data));
    }

    [Fact]
    public async Task Corrupt_crc_is_retried_then_reported_as_crc()
    {
        _bus.SetFault(1, new SimulatedFault { CorruptCrc = true });

        var ex = await Assert.ThrowsAsync<MeterProtocolException>(() =>
            _master.ReadRegistersAsync(1, ModbusFunction.ReadInputRegisters, 0x0000, 2, CancellationToken.None));

        Assert.Equal("crc", ex.Reason);
        var counters = _master.Counters.Snapshot();
        Assert.Equal(3, counters.CrcErrors);
        Assert.Equal(2, counters.Retries);
        Assert.Equal(3, _bus.FramesReceived);
    }

    [Fact]
    public async Task Broadcast_write_reaches_every_meter_and_waits_for_no_reply()
    {
        await _master.WriteSingleRegisterAsync(0, 0x0001, 0x1234, CancellationToken.None);

        Assert.True(_sdm.TryGetHoldingRegister(1, out var a) && a == 0x1234);
        Assert.True(_abb.TryGetHoldingRegister(1, out var b) && b == 0x1234);
        Assert.Equal(1, _master.Counters.Snapshot().Broadcasts);
        Assert.Equal(0, _master.Counters.Snapshot().Timeouts);
        // The turnaround delay after a broadcast runs on the master's clock, then the bus is usable again.
        Assert.Equal("43663333", Hex.Of(await _master.ReadRegistersAsync(1, ModbusFunction.ReadInputRegisters, 0, 2, CancellationToken.None)));
    }

    [Fact]
    public async Task Site_read_goes_on_past_a_dead_meter()
    {
        var reader = new ModbusMeterReader(
            new ModbusRtuMaster(_bus, new ModbusRtuMasterOptions { ResponseTimeout = TimeSpan.FromMilliseconds(100), Retries = 0 }), ShippedProfiles);
        _bus.Attach(new SimulatedModbusMeter(2, ShippedProfiles["eastron-sdm120"], _time, seed: 9));
        _bus.SetFault(2, new SimulatedFault { Silent = true });
        Meter MeterOf(byte unit, string profile) => new(new MeterId($"m{unit}"), _bus.Name, MeterProtocol.ModbusRtu, unit.ToString(System.Globalization.CultureInfo.InvariantCulture), profile);
        var sdm = MeterOf(1, "eastron-sdm630");
        var dead = MeterOf(2, "eastron-sdm120");
        var abb = MeterOf(0x11, "abb-b23");

        var first = await reader.ReadAsync(sdm, reader.SupportedQuantities(sdm), CancellationToken.None);
        await Assert.ThrowsAsync<TimeoutException>(() => reader.ReadAsync(dead, reader.SupportedQuantities(dead), CancellationToken.None));
        var last = await reader.ReadAsync(abb, reader.SupportedQuantities(abb), CancellationToken.None);

        Assert.Equal(230.2, first.Single(v => v.Obis == ObisCode.VoltageL1).Value, 1e-4);
        Assert.Equal(1234.5, first.Single(v => v.Obis == ObisCode.ActiveEnergyImport).Value, 1e-4);
        Assert.Equal(ShippedProfiles["abb-b23"].Registers.Count, last.Count);
        Assert.InRange(last.Single(v => v.Obis == ObisCode.Frequency).Value, 49.8, 50.2);
    }
}
