using Dcu.Drivers.Modbus;

namespace Dcu.Drivers.Tests.Modbus;

public class ModbusPduTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(126)]
    public void Read_quantity_outside_1_to_125_is_refused(int quantity)
    {
        var dest = new byte[5];
        Assert.Throws<ArgumentOutOfRangeException>(() => ModbusPdu.WriteReadRequest(dest, ModbusFunction.ReadHoldingRegisters, 0, (ushort)quantity));
    }

    [Fact]
    public void Read_quantity_125_is_accepted()
    {
        var dest = new byte[5];
        Assert.Equal(5, ModbusPdu.WriteReadRequest(dest, ModbusFunction.ReadInputRegisters, 0, 125));
        Assert.Equal(Hex.Bytes("04 00 00 00 7D"), dest);
    }

    [Fact]
    public void Read_with_a_write_function_is_refused()
    {
        var dest = new byte[5];
        Assert.Throws<ArgumentOutOfRangeException>(() => ModbusPdu.WriteReadRequest(dest, ModbusFunction.WriteSingleRegister, 0, 1));
    }

    [Fact]
    public void Read_past_the_last_address_is_refused()
    {
        var dest = new byte[5];
        Assert.Throws<ArgumentOutOfRangeException>(() => ModbusPdu.WriteReadRequest(dest, ModbusFunction.ReadHoldingRegisters, 0xFFFF, 2));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(124)]
    public void Write_multiple_quantity_outside_1_to_123_is_refused(int quantity)
    {
        var dest = new byte[300];
        var values = new ushort[quantity];
        Assert.Throws<ArgumentOutOfRangeException>(() => ModbusPdu.WriteMultipleRegistersRequest(dest, 0, values));
    }

    [Fact]
    public void Too_small_destination_is_refused()
    {
        var dest = new byte[4];
        Assert.Throws<ArgumentException>(() => ModbusPdu.WriteSingleRegisterRequest(dest, 1, 3));
    }
}
