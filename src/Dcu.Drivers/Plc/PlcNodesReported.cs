namespace Dcu.Drivers.Plc;

/// <summary>AFN 06 F1/F4: the module reports slave nodes (found by registration or search).</summary>
public sealed record PlcNodesReported(DateTimeOffset Timestamp, IReadOnlyList<PlcAddress> Nodes) : PlcModuleEvent(Timestamp);
