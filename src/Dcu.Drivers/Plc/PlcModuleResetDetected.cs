namespace Dcu.Drivers.Plc;

/// <summary>The module restarted or lost its route table; the driver re-syncs when configured to.</summary>
public sealed record PlcModuleResetDetected(DateTimeOffset Timestamp, string Reason) : PlcModuleEvent(Timestamp);
