namespace Dcu.Drivers.Plc;

/// <summary>
/// AFN 06 F2 (read data, router-led reading) or F5 (<see cref="IsEvent"/>: a meter event): a meter
/// frame the module relays on its own. <see cref="Meter"/> is A1 when the frame had an address field.
/// </summary>
public sealed record PlcMeterFrameReported(DateTimeOffset Timestamp, PlcAddress? Meter, PlcProtocolType Protocol, byte[] Frame, bool IsEvent) : PlcModuleEvent(Timestamp);
