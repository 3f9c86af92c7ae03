namespace Dcu.Drivers.Plc;

/// <summary>A module-initiated frame of a known AFN with an Fn the driver does not interpret.</summary>
public sealed record PlcModuleReportReceived(DateTimeOffset Timestamp, Q13762Afn Afn, Q13762Fn Fn, byte[] Data) : PlcModuleEvent(Timestamp);
