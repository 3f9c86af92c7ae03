namespace Dcu.Drivers.Modbus;

/// <summary>The Modbus function codes this master speaks (MODBUS Application Protocol V1.1b3, 6).</summary>
public enum ModbusFunction : byte
{
    ReadHoldingRegisters = 0x03,
    ReadInputRegisters = 0x04,
    WriteSingleRegister = 0x06,
    WriteMultipleRegisters = 0x10,
}
