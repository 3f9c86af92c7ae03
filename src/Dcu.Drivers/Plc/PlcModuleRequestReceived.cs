namespace Dcu.Drivers.Plc;

/// <summary>AFN 14: the module asked the concentrator something (F1 what to read, F2 clock, F3 delay correction).</summary>
public sealed record PlcModuleRequestReceived(DateTimeOffset Timestamp, Q13762Fn Fn, byte[] Data) : PlcModuleEvent(Timestamp);
