namespace Dcu.Drivers.Modbus;

// TODO(merge): temporary placeholder; the Modbus codec branch owns the real definition.
public enum ModbusFunction : byte { ReadHoldingRegisters = 3, ReadInputRegisters = 4, WriteSingleRegister = 6, WriteMultipleRegisters = 16 }
