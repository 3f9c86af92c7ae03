namespace Dcu.Drivers.Tests.Modbus;

/// <summary>How <see cref="SimulatedModbusDevice"/> answers one request.</summary>
public enum Misbehaviour
{
    None,
    Silent,
    BadCrc,
    OneByteAtATime,
    GarbageFirst,
    Exception,
    Busy,
    WrongUnit,
    StaleTransactionFirst,
}
