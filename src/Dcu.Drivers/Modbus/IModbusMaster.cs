namespace Dcu.Drivers.Modbus;
public interface IModbusMaster
{
    /// fc 3 or 4; returns the registers' raw bytes (big-endian words, 2*count bytes).
    Task<byte[]> ReadRegistersAsync(byte unit, ModbusFunction function, ushort start, ushort count, CancellationToken cancellationToken);
    Task WriteSingleRegisterAsync(byte unit, ushort address, ushort value, CancellationToken cancellationToken);
    Task WriteMultipleRegistersAsync(byte unit, ushort start, ReadOnlyMemory<ushort> values, CancellationToken cancellationToken);
    ModbusBusCounters Counters { get; }
}
