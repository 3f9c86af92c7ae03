namespace Dcu.Core.Model;

/// <summary>An entry of the meter archive: where the meter is and how to talk to it.</summary>
/// <param name="Id">Archive identity, used in every reading.</param>
/// <param name="Bus">Name of the bus (serial port, TCP gateway or PLC module) the meter is on.</param>
/// <param name="Protocol">How its bus speaks to it.</param>
/// <param name="Address">Protocol address: Modbus unit id ("1".."247"), DL/T 645 12-digit address, ...</param>
/// <param name="Profile">Meter profile name (register map), e.g. "eastron-sdm630".</param>
public sealed record Meter(MeterId Id, string Bus, MeterProtocol Protocol, string Address, string Profile)
{
    /// <summary>Extra quiet time after this meter's reply before the bus is used again (slow meters).</summary>
    public TimeSpan Turnaround { get; init; } = TimeSpan.Zero;
}

public enum MeterProtocol
{
    ModbusRtu,
    ModbusTcp,
    Dlt645,
    Plc,
}
