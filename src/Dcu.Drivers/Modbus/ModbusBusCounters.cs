namespace Dcu.Drivers.Modbus;

// TODO(merge): temporary placeholder so IModbusMaster compiles; the Modbus codec branch owns the real class.
public sealed class ModbusBusCounters;
