namespace Dcu.Drivers.Plc;

/// <summary>AFN 06 F3: the router's task changed (1 reading finished, 2 search finished, ...).</summary>
public sealed record PlcRouteWorkChanged(DateTimeOffset Timestamp, byte Kind) : PlcModuleEvent(Timestamp);
