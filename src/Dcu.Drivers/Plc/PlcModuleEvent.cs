namespace Dcu.Drivers.Plc;

/// <summary>Something the module told on its own (PRM=1 frames) or the driver concluded about it.</summary>
public abstract record PlcModuleEvent(DateTimeOffset Timestamp);
