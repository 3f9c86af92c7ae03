namespace Dcu.Drivers.Modbus;

/// <summary>
/// A Modbus master on one bus (RTU over RS485) or one connection (TCP). One request in flight at a time.
/// Failures: <see cref="TimeoutException"/> when the device stays silent,
/// <see cref="ModbusDeviceException"/> when it answers with an exception,
/// <see cref="Dcu.Core.Abstractions.MeterProtocolException"/> for bad frames after retries,
/// <see cref="OperationCanceledException"/> only when the caller's token was cancelled.
/// </summary>
public interface IModbusMaster
{
    /// fc 3 or 4; returns the registers' raw bytes (big-endian words, 2*count bytes).
    Task<byte[]> ReadRegistersAsync(byte unit, ModbusFunction function, ushort start, ushort count, CancellationToken cancellationToken);

    Task WriteSingleRegisterAsync(byte unit, ushort address, ushort value, CancellationToken cancellationToken);

    Task WriteMultipleRegistersAsync(byte unit, ushort start, ReadOnlyMemory<ushort> values, CancellationToken cancellationToken);

    ModbusBusCounters Counters { get; }
}
