namespace Dcu.Drivers.Plc;

/// <summary>What the driver asks the module to initialise at start-up (AFN 01).</summary>
public enum PlcStartupInit
{
    None,

    /// <summary>AFN 01 F1: hardware init (restart); the route table survives.</summary>
    Hardware,

    /// <summary>AFN 01 F2: parameter-area init; clears the route table (the archive sync refills it).</summary>
    Parameters,
}
